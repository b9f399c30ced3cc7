// `npm run bench:parts`: what each part of the nested history page costs the gateway, in CPU
// per page. `npm run bench` compares whole pages between servers; this takes the page apart.
// Each variant of the page (the runs alone, then with one part added, then all of it) runs
// in a fresh gateway process on Node 22, which sends its requests to itself through
// `yoga.fetch` (no HTTP, no load generator sharing the CPUs), 8 at a time, uncached, and
// counts its own CPU per page over several rounds: process CPU, so V8's background threads
// (GC, compiler) count too. PostgreSQL's CPU is not in these figures.
import { execFileSync } from "node:child_process";
import { BENCH_KEY, freshDatabase, median, startGateway, stopGateway } from "./lib.js";
import { node22 } from "./node22.js";
import { NESTED_GATEWAY, projectName } from "./queries.js";
import { QUICK, seed } from "./seed.js";

const ROUNDS = 7;
const PAGES_PER_ROUND = 300;
const CONCURRENCY = Number(process.env.PARTS_CONCURRENCY ?? 8);
// Rounds kept getting cheaper for about 2,000 pages (V8's optimizing, the heap growing to
// its working size): they are not counted.
const WARM_ROUNDS = 6;

const runsWith = (part: string) => `query Page($project: String!) {
  project(name: $project) { runs(first: 50) { totalCount nodes { runId number name state createdAt ${part} } } }
}`;

const VARIANTS: { name: string; query: string }[] = [
  { name: "runs alone (5 columns, totalCount)", query: runsWith("") },
  { name: "+ forkedFrom, forks count", query: runsWith("forkedFrom { runId } forks { totalCount }") },
  { name: "+ last 5 state events", query: runsWith("stateHistory(last: 5) { nodes { fromState toState at } }") },
  { name: "+ metric summaries", query: runsWith("metrics { name count min max last }") },
  { name: "the whole page", query: NESTED_GATEWAY },
];

/** In the worker process: the gateway in this process, and the CPU per page of each round. */
async function worker(): Promise<void> {
  process.env.NODE_ENV = "production";
  const { loadSettings } = await import("../src/config.js");
  const { createLogger } = await import("../src/logger.js");
  const { startApp } = await import("../src/app.js");
  const app = await startApp(loadSettings(), createLogger("warn"));
  const query = process.env.PARTS_QUERY!;
  let n = 0;
  const page = async () => {
    const res = await app.gateway.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
      body: JSON.stringify({ query, variables: { project: projectName((n++ % QUICK.projects) + 1) } }),
    });
    const text = await res.text();
    if (!text.startsWith('{"data"') || text.includes('"errors"')) throw new Error(text.slice(0, 300));
  };
  const round = async () => {
    let left = PAGES_PER_ROUND;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await page();
    }));
  };
  for (let r = 0; r < WARM_ROUNDS; r++) await round();
  const perPage: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    await round();
    const used = process.cpuUsage(before);
    perPage.push((used.user + used.system) / 1000 / PAGES_PER_ROUND);
  }
  await app.stop();
  process.stdout.write(JSON.stringify(perPage));
}

if (process.env.PARTS_QUERY) {
  await worker();
  process.exit(0);
}

const NODE = node22();
const databaseUrl = await freshDatabase("gateway_bench_parts");
console.error(`seeding ${QUICK.runs} runs…`);
// The gateway migrates the new database, then goes; each variant starts its own.
await stopGateway(await startGateway({ DATABASE_URL: databaseUrl, LIVENESS_SWEEP_INTERVAL: "0" }, 4694));
await seed(databaseUrl, "default", QUICK);

const results: { name: string; rounds: number[] }[] = [];
for (const v of VARIANTS) {
  const out = execFileSync(NODE, ["--import", "tsx", "bench/parts.ts"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      PARTS_QUERY: v.query,
      DATABASE_URL: databaseUrl,
      PORT: "4695",
      BOOTSTRAP_API_KEY: BENCH_KEY,
      RESPONSE_CACHE_MB: "0",
      LIVENESS_SWEEP_INTERVAL: "0",
      RATE_LIMIT_PER_SECOND: "0",
      LOG_LEVEL: "warn",
    },
  });
  const rounds = JSON.parse(out) as number[];
  results.push({ name: v.name, rounds });
  console.error(`  ${v.name}: ${rounds.map((x) => x.toFixed(2)).join(" ")} ms`);
}

const base = median(results[0]!.rounds);
console.log(`\ngateway CPU per nested page (ms), in process, ${CONCURRENCY} at a time, uncached, Node ${execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim()}`);
console.log("variant".padEnd(40) + "median".padStart(8) + "range".padStart(14) + "over runs alone".padStart(17));
for (const r of results) {
  const m = median(r.rounds);
  const range = `${Math.min(...r.rounds).toFixed(2)}-${Math.max(...r.rounds).toFixed(2)}`;
  console.log(r.name.padEnd(40) + m.toFixed(2).padStart(8) + range.padStart(14) + (r === results[0] ? "-" : `+${(m - base).toFixed(2)}`).padStart(17));
}
