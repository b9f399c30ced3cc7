// A project's run list sorted by a metric (issue 4: "sorts runs by their best loss"), next
// to the same list sorted by a column, on PostgreSQL: N runs of which a tenth are forks,
// each with a `loss` series of 100 points. Prints the median of 20 requests for each.
// Run: npx tsx bench/run-list.ts [runs, default 10000]
import { freshDatabase, gqlClient, medianMs, startGateway, stopGateway } from "./lib.js";

const RUNS = Number(process.argv[2] ?? 10_000);
const PORT = 4662;

const gql = gqlClient(PORT);

async function inParallel<T>(items: T[], width: number, f: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await f(x);
  }));
}

const gateway = await startGateway({ DATABASE_URL: await freshDatabase("gateway_bench_run_list") }, PORT);
try {
  const t0 = performance.now();
  const roots: number[] = [];
  await inParallel(Array.from({ length: Math.ceil(RUNS * 0.9) }, (_, i) => i), 16, async (i) => {
    const d = await gql(`mutation($n:String!){ createRun(input:{projectName:"list", name:$n}){ ... on CreateRunSuccess { run { runId } } } }`, { n: `r${i}` });
    const runId = d.createRun.run.runId as number;
    roots.push(runId);
    const steps = Array.from({ length: 100 }, (_, s) => s);
    await gql(`mutation($i:LogMetricsInput!){ logMetrics(input:$i){ __typename } }`, {
      i: { runId, series: [{ name: "loss", steps, values: steps.map((s) => Math.exp(-s / (20 + (i % 50)))) }] },
    });
  });
  await inParallel(Array.from({ length: RUNS - roots.length }, (_, i) => i), 16, async (i) => {
    const d = await gql(`mutation($p:Int!,$s:SafeInt!){ forkRun(input:{parentRunId:$p, step:$s}){ ... on ForkRunSuccess { run { runId } } } }`, { p: roots[i]!, s: 50 });
    const runId = d.forkRun.run.runId as number;
    await gql(`mutation($i:LogMetricsInput!){ logMetrics(input:$i){ __typename } }`, {
      i: { runId, series: [{ name: "loss", steps: [60, 70], values: [0.5 / (i + 1), 0.4 / (i + 1)] }] },
    });
  });
  console.log(`seeded ${RUNS} runs in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const page = (args: string) => `{ runs(projectName:"list", first:50, ${args}) { totalCount nodes { runId name state } } }`;
  const rows: [string, string][] = [
    ["first 50, newest first (column)", page("")],
    ["first 50 by LAST loss ascending", page(`orderBy:[{ metric:"loss", aggregate:LAST, direction:ASC }]`)],
    ["first 50 by MIN loss ascending", page(`orderBy:[{ metric:"loss", aggregate:MIN, direction:ASC }]`)],
    ["first 50 with loss < 0.01", page(`filter:{ metrics:[{ name:"loss", lt:0.01 }] }`)],
  ];
  console.log(`\nPostgreSQL, ${RUNS.toLocaleString()} runs (${RUNS - roots.length} forks)`);
  for (const [label, q] of rows) console.log(`  ${label.padEnd(40)} ${(await medianMs(() => gql(q), 20)).toFixed(1)} ms median`);
} finally {
  await stopGateway(gateway);
}
