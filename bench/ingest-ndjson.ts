// POST /ingest/metrics as the pluto-ml SDK sends it: NDJSON bodies of 100 lines of 20
// metrics (2,000 points), one run per connection with steps that only grow (a training
// loop), on PostgreSQL; next to the same points through GraphQL logMetrics (series form),
// and to bodies sent again (the replace path: a client retrying after a timeout).
// Prints points/s. Run: npx tsx bench/ingest-ndjson.ts [seconds, default 10] [connections, default 8]
import autocannon from "autocannon";
import { BENCH_KEY, createRunRest, freshDatabase, ndjsonMetrics, startGateway, stopGateway } from "./lib.js";

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 8);
const PORT = 4620;
const base = `http://127.0.0.1:${PORT}`;
const LINES = 100;
const METRICS = 20;
const names = Array.from({ length: METRICS }, (_, i) => `train/m${i}`);

function graphqlBody(runId: number, fromStep: number): string {
  const steps = Array.from({ length: LINES }, (_, i) => fromStep + i);
  return JSON.stringify({
    query: "mutation($i: LogMetricsInput!) { logMetrics(input: $i) { __typename } }",
    variables: { i: { runId, series: names.map((name) => ({ name, steps, values: steps.map((s) => Math.sin(s / 100) + name.length) })) } },
  });
}

/**
 * One run per connection. With `resend`, every body repeats the run's first 100 steps (each
 * point overwritten: the replace path); otherwise each run's steps only grow, as a training
 * loop's do. Steps are kept per run: autocannon's request context does not persist.
 */
async function measure(
  label: string,
  path: string,
  body: (runId: number, step: number) => string,
  headers: (runId: number) => Record<string, string>,
  resend = false,
) {
  const runs = await Promise.all(Array.from({ length: connections }, (_, i) => createRunRest(base, `${label}-${i}`, "ingest")));
  const nextStep = new Map<number, number>();
  let next = 0;
  const result = await autocannon({
    url: `${base}${path}`,
    connections,
    duration: seconds,
    method: "POST",
    requests: [
      {
        setupRequest: (req) => {
          const runId = runs[next++ % runs.length]!;
          const step = nextStep.get(runId) ?? 0;
          if (!resend) nextStep.set(runId, step + LINES);
          return { ...req, headers: { ...req.headers, ...headers(runId) }, body: body(runId, step) };
        },
      },
    ],
  });
  const points = result.requests.average * LINES * METRICS;
  console.log(
    `  ${label.padEnd(40)} ${result.requests.average.toFixed(0).padStart(6)} req/s ${points.toFixed(0).padStart(9)} points/s` +
      `   p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}`,
  );
}

const gateway = await startGateway({ DATABASE_URL: await freshDatabase("gateway_bench_ingest") }, PORT);
try {
  console.log(`\nPostgreSQL, ${connections} connections, ${seconds} s each, bodies of ${LINES} lines × ${METRICS} metrics`);
  const ingestHeaders = (runId: number) => ({
    authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/x-ndjson", "x-run-id": String(runId), "x-project-name": "ingest",
  });
  await measure("POST /ingest/metrics (NDJSON)", "/ingest/metrics", (_r, step) => ndjsonMetrics(step, LINES, names), ingestHeaders);
  await measure("GraphQL logMetrics (series)", "/graphql", graphqlBody, () => ({ authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" }));
  await measure("NDJSON re-sent (every point replaced)", "/ingest/metrics", (_r, step) => ndjsonMetrics(step, LINES, names), ingestHeaders, true);
} finally {
  await stopGateway(gateway);
}
