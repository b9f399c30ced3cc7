// Hostile documents on PostgreSQL: how fast each kind of bomb is refused (sequential
// requests, client-measured), and how much of its throughput the frontend's nested read
// keeps while a stream of bombs runs beside it, measured back to back in one run.
// Run: npx tsx bench/hostile.ts [seconds per phase, default 10]
import autocannon from "autocannon";
import { BENCH_KEY, freshDatabase, gqlClient, startGateway, stopGateway } from "./lib.js";

const seconds = Number(process.argv[2] ?? 10);
const PORT = 4640;
const url = `http://127.0.0.1:${PORT}/graphql`;
const headers = { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` };

const nest = (depth: number) => `{ project(name: "p") { runs { nodes { ${"forks { nodes { ".repeat(depth)}runId${" } }".repeat(depth)} } } } }`;
const BOMBS: Record<string, string> = {
  "depth 200": nest(200),
  "1,000 aliases": `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: viewer { apiKeyName }`).join(" ")} }`,
  "cost 100^4": `{ runs(first: 100) { nodes { forks(first: 100) { nodes { stateHistory(first: 100) { nodes { logs: fromState } } forks(first: 100) { nodes { runId } } } } } } }`,
  "50,000 tokens": `{ ${Array.from({ length: 25_000 }, () => "__typename").join(" ")} }`,
  "1,000 directives": `{ viewer { apiKeyName ${Array.from({ length: 1000 }, () => "@include(if: true)").join(" ")} } }`,
};
const LEGIT = `query Page { project(name: "p") { runs(first: 20) { totalCount nodes { runId displayId state forkedFrom { runId } forks { totalCount }
  stateHistory(last: 5) { nodes { fromState toState at } } metric(name: "loss") { summary { count last min } } } } } }`;

const body = (query: string) => JSON.stringify({ query });

async function refusalMs(query: string, n: number): Promise<{ median: number; max: number; code: string }> {
  const times: number[] = [];
  let code = "";
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { method: "POST", headers, body: body(query) });
    const answer = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    times.push(performance.now() - t0);
    code = answer.errors?.[0]?.extensions?.code ?? "(not refused)";
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)]!, max: times[n - 1]!, code };
}

const legitLoad = () =>
  autocannon({ url, method: "POST", headers, body: body(LEGIT), connections: 16, duration: seconds });

const gateway = await startGateway({ DATABASE_URL: await freshDatabase("gateway_bench_hostile") }, PORT);
try {
  const gql = gqlClient(PORT);
  for (let i = 0; i < 40; i++) {
    const { createRun } = await gql(`mutation($i: CreateRunInput!) { createRun(input: $i) { ... on CreateRunSuccess { run { runId } } } }`, {
      i: { projectName: "p", name: `r${i}` },
    });
    await gql(`mutation($i: LogMetricsInput!) { logMetrics(input: $i) { __typename } }`, {
      i: { runId: createRun.run.runId, series: [{ name: "loss", steps: [0, 1, 2, 3], values: [4, 3, 2, 1] }] },
    });
  }

  console.log(`\nBombs refused (sequential, 30 each; client-side time including HTTP)`);
  for (const [name, query] of Object.entries(BOMBS)) {
    await refusalMs(query, 5); // warm-up
    const r = await refusalMs(query, 30);
    console.log(`  ${name.padEnd(18)} median ${r.median.toFixed(2)} ms   max ${r.max.toFixed(2)} ms   ${r.code}   (${(body(query).length / 1024).toFixed(0)} KB)`);
  }

  await legitLoad(); // warm-up
  const bombs = Object.values(BOMBS);
  let k = 0;
  /** A stream of every kind of bomb in turn; `rate` bombs/s in all, or as fast as 4 connections go. */
  const stream = (rate?: number) =>
    autocannon({
      url,
      method: "POST",
      headers,
      connections: 4,
      duration: seconds,
      ...(rate ? { overallRate: rate } : {}),
      requests: [{ setupRequest: (req) => ({ ...req, body: body(bombs[k++ % bombs.length]!) }) }],
    });
  console.log(`\nNested read, 16 connections, ${seconds} s per phase`);
  const alone = await legitLoad();
  console.log(`  alone                            ${alone.requests.average.toFixed(0).padStart(6)} req/s   p99 ${alone.latency.p99} ms`);
  for (const rate of [100, undefined]) {
    const [beside, bombing] = await Promise.all([legitLoad(), stream(rate)]);
    const kept = (beside.requests.average / alone.requests.average) * 100;
    const label = rate ? `beside ${rate} bombs/s` : "beside bombs at full speed";
    console.log(
      `  ${label.padEnd(32)} ${beside.requests.average.toFixed(0).padStart(6)} req/s   p99 ${beside.latency.p99} ms   (${kept.toFixed(0)}% kept; ${bombing.requests.average.toFixed(0)} bombs/s refused)`,
    );
  }
} finally {
  await stopGateway(gateway);
}
