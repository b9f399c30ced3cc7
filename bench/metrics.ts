// Metric histories at scale, through the HTTP API (issue 4's figures), on PostgreSQL and on
// PGlite: ingest in 10,000-point batches, a 1,000-bucket overview of a 1,000,000-point
// series, a 10,000-step zoom, the overview at fork depth 10, forkRun on 0 and 1M points.
// Run: npx tsx bench/metrics.ts [postgres|pglite|both] [points, default 1000000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshDatabase, gqlClient, medianMs, startGateway, stopGateway } from "./lib.js";

const which = process.argv[2] ?? "both";
const TOTAL = Number(process.argv[3] ?? 1_000_000);
const BATCH = 10_000;
const PORT = 4660;

const gql = gqlClient(PORT);

const createRun = async (name: string) =>
  (await gql(`mutation($n:String!){ createRun(input:{projectName:"bench", name:$n}){ ... on CreateRunSuccess { run { runId } } } }`, { n: name })).createRun.run.runId as number;
const fork = async (parent: number, step: number) => {
  const t0 = performance.now();
  const d = await gql(`mutation($p:Int!,$s:SafeInt!){ forkRun(input:{parentRunId:$p, step:$s}){ ... on ForkRunSuccess { run { runId } } ... on Error { message } } }`, { p: parent, s: step });
  return { runId: d.forkRun.run.runId as number, ms: performance.now() - t0 };
};
const LOG = `mutation($i: LogMetricsInput!){ logMetrics(input:$i){ ... on LogMetricsSuccess { accepted } ... on Error { message } } }`;

/** A batch as one object per point, or as parallel arrays (LogMetricsInput.series). */
type Form = "points" | "series";
function batchInput(runId: number, from: number, n: number, form: Form) {
  const steps = Array.from({ length: n }, (_, i) => from + i);
  const values = steps.map((s) => Math.sin(s / 1000));
  return form === "points"
    ? { runId, points: steps.map((step, i) => ({ name: "loss", step, value: values[i] })) }
    : { runId, series: [{ name: "loss", steps, values }] };
}

async function ingest(runId: number, from: number, count: number, form: Form = "series", concurrency = 4): Promise<number> {
  const batches: number[] = [];
  for (let s = from; s < from + count; s += BATCH) batches.push(s);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let b = batches.shift(); b !== undefined; b = batches.shift()) {
        const d = await gql(LOG, { i: batchInput(runId, b, Math.min(BATCH, from + count - b), form) });
        if (d.logMetrics.accepted === undefined) throw new Error(JSON.stringify(d));
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

const median = (f: () => Promise<unknown>) => medianMs(f, 5);
const overview = (runId: number, from?: number, to?: number) =>
  gql(`query($id:Int!,$f:SafeInt,$t:SafeInt){ run(runId:$id){ metric(name:"loss"){ buckets(count:1000, fromStep:$f, toStep:$t){ count min max } } } }`, { id: runId, f: from, t: to });

async function scenario(label: string, env: Record<string, string>) {
  const gateway = await startGateway(env, PORT);
  try {
    // The object form on its own run (a fifth of the points), then the series form builds the 1M series.
    const asPoints = await ingest(await createRun("points"), 0, Math.max(BATCH, TOTAL / 5), "points");
    const root = await createRun("root");
    const rate = await ingest(root, 0, TOTAL, "series");
    const empty = await createRun("empty");
    const forkEmpty = await median(async () => (await fork(empty, 0)).ms);
    const forkFull = await median(async () => (await fork(root, TOTAL - 1)).ms);
    // Depth 10: each fork takes the next tenth of the history.
    let tip = root;
    const tenth = Math.floor(TOTAL / 10);
    for (let d = 1; d <= 10; d++) {
      tip = (await fork(tip, d * tenth - 1)).runId;
      if (d < 10) await ingest(tip, d * tenth, tenth);
    }
    const rows: [string, string][] = [
      [`ingest, ${BATCH}-point batches as series, 4 in flight`, `${rate.toFixed(0)} points/s`],
      [`ingest, ${BATCH}-point batches as points, 4 in flight`, `${asPoints.toFixed(0)} points/s`],
      [`overview 1,000 buckets of ${TOTAL.toLocaleString()} points`, `${(await median(() => overview(root))).toFixed(0)} ms median`],
      ["zoom 1,000 buckets of a 10,000-step window", `${(await median(() => overview(root, TOTAL / 2, TOTAL / 2 + 9_999))).toFixed(0)} ms median`],
      ["overview at fork depth 10 (ten ancestors)", `${(await median(() => overview(tip))).toFixed(0)} ms median`],
      ["forkRun, parent with 0 points", `${forkEmpty.toFixed(1)} ms median`],
      [`forkRun, parent with ${TOTAL.toLocaleString()} points`, `${forkFull.toFixed(1)} ms median`],
    ];
    console.log(`\n${label}`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(48)} ${v}`);
  } finally {
    await stopGateway(gateway);
  }
}

if (which !== "pglite") await scenario("PostgreSQL", { DATABASE_URL: await freshDatabase("gateway_bench_metrics") });
if (which !== "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "bench-metrics-"));
  try {
    await scenario("PGlite", { DATABASE_URL: "", DATA_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
