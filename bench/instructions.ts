// `npm run bench:instructions [-- --base DIR]`: instructions per request, counted by
// valgrind's callgrind, for bare Yoga's `{ __typename }`, the gateway's authenticated viewer
// and its uncached nested history page. Requests per second on this 2-core VM move by
// 10-15% between two 5-s rounds, and by a fifth when the load generator and the server
// share the CPUs differently; an instruction count of the same requests moves by 1-4%
// between rounds. That makes it the measure for a change worth a few percent.
//
// Each server runs under callgrind with instrumentation off until it is warm (so V8 has
// optimized what it will), then counts ROUNDS rounds of requests sent 4 at a time. The
// main thread's count is the request's work; the other threads' (V8's optimizing compiler,
// concurrent marking) are printed beside it and move more. `--base DIR` also runs the
// gateway from another checkout (a git worktree of the revision to compare with, set up
// with `npm install`), side by side in the same run.
//
// Counts compare builds of one server on one scenario, not two servers: bare Yoga's row is
// a reference, not a ratio. The gateway's viewer counts either about 0.55 M main-thread
// instructions per request or about 1.0 M (V8's runtime defining object literals'
// properties: inline caches that fell back to it), stable within a process; the second
// state followed a minute or more of idling under valgrind in every trial. Natively the
// viewer takes 1.2-1.4 times bare Yoga's CPU per request. See bench/README.md.
import { execFileSync, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freshDatabase, gqlClient, median, startGateway, startScript, stopGateway } from "./lib.js";
import { node22 } from "./node22.js";
import { NESTED_GATEWAY, projectName } from "./queries.js";
import { QUICK, seed } from "./seed.js";

const ROUNDS = 3;
const CONCURRENCY = 4;
const baseIndex = process.argv.indexOf("--base");
if (baseIndex > 0 && !process.argv[baseIndex + 1]) {
  console.error("--base takes the directory of the checkout to compare with");
  process.exit(1);
}
const baseDir = baseIndex > 0 ? resolve(process.argv[baseIndex + 1]!) : null;

if (spawnSync("valgrind", ["--version"]).status !== 0) {
  console.error("bench:instructions needs valgrind (Debian's valgrind package)");
  process.exit(1);
}

const dumps = mkdtempSync(join(tmpdir(), "callgrind-"));
const NODE = node22();
const CALLGRIND = [
  "valgrind",
  "-q",
  "--tool=callgrind",
  "--instr-atstart=no",
  "--separate-threads=yes",
  // V8 writes and rewrites machine code on its heap.
  "--smc-check=all-non-file",
  `--callgrind-out-file=${dumps}/cg.%p.out`,
];

interface Scenario {
  name: string;
  /** Requests before counting; V8 optimizes what runs often. */
  warm: number;
  /** Requests per counted round. */
  count: number;
  query: string;
  variables?: () => Record<string, unknown>;
}

let n = 0;
const TRIVIAL: Scenario = { name: "{ __typename }", warm: 3000, count: 2000, query: "{ __typename }" };
const VIEWER: Scenario = { name: "authenticated viewer", warm: 3000, count: 2000, query: "{ viewer { organization { slug } } }" };
const NESTED: Scenario = {
  name: "nested history, uncached",
  warm: 200,
  count: 200,
  query: NESTED_GATEWAY,
  variables: () => ({ project: projectName((n++ % QUICK.projects) + 1) }),
};

/** `count` requests, CONCURRENCY at a time; a failed one throws unless `tolerant` (warm-up, while valgrind is slowest). */
async function send(port: number, s: Scenario, count: number, tolerant: boolean): Promise<void> {
  const ask = gqlClient(port);
  let left = count;
  const worker = async () => {
    while (left-- > 0) await ask(s.query, s.variables?.()).catch((e) => (tolerant ? null : Promise.reject(e)));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const control = (pid: number, ...args: string[]) => execFileSync("callgrind_control", [...args, String(pid)], { stdio: "ignore" });

/** Instructions of the last dump of `pid`: the main thread's and every thread's. */
function lastDump(pid: number): { main: number; all: number } {
  const files = readdirSync(dumps).filter((f) => f.startsWith(`cg.${pid}.out.`));
  const part = (f: string) => Number(/\.out\.(\d+)/.exec(f)![1]);
  const last = Math.max(...files.map(part));
  let main = 0;
  let all = 0;
  for (const f of files.filter((f) => part(f) === last)) {
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dumps, f), "utf8"))?.[1] ?? 0);
    all += total;
    if (f.endsWith("-01")) main = total;
  }
  return { main, all };
}

interface Row {
  scenario: string;
  server: string;
  main: number[];
  all: number[];
}

async function count(server: string, proc: ChildProcess, port: number, s: Scenario): Promise<Row> {
  const pid = proc.pid!;
  await send(port, s, s.warm, true);
  control(pid, "--instr=on");
  await send(port, s, s.warm / 2, true);
  const row: Row = { scenario: s.name, server, main: [], all: [] };
  for (let r = 0; r < ROUNDS; r++) {
    control(pid, "--zero");
    await send(port, s, s.count, false);
    control(pid, "--dump");
    const { main, all } = lastDump(pid);
    row.main.push(main / s.count);
    row.all.push(all / s.count);
  }
  control(pid, "--instr=off");
  console.error(`  ${s.name} / ${server}: ${row.main.map((x) => (x / 1e6).toFixed(3)).join(", ")} M`);
  return row;
}

const started: ChildProcess[] = [];
const rows: Row[] = [];
try {
  const databaseUrl = await freshDatabase("gateway_bench_instructions");
  console.error(`seeding ${QUICK.runs} runs…`);
  // The gateway migrates the new database; then it goes, and the counted servers come.
  await stopGateway(await startGateway({ DATABASE_URL: databaseUrl, LIVENESS_SWEEP_INTERVAL: "0" }, 4690));
  await seed(databaseUrl, "default", QUICK);

  const env = { DATABASE_URL: databaseUrl, LIVENESS_SWEEP_INTERVAL: "0", RESPONSE_CACHE_MB: "0" };
  console.error("starting the servers under callgrind (about 30 s)…");
  const yoga = startScript("bench/servers/bare.ts", { BARE: "yoga", PORT: "4693" }, { node: NODE, wrap: CALLGRIND });
  started.push(yoga);
  const [gateway, base] = await Promise.all([
    startGateway(env, 4691, { node: NODE, wrap: CALLGRIND, waitSeconds: 180 }),
    baseDir ? startGateway(env, 4692, { node: NODE, wrap: CALLGRIND, waitSeconds: 180, cwd: baseDir }) : null,
  ]);
  started.push(gateway, ...(base ? [base] : []));

  rows.push(await count("bare Yoga", yoga, 4693, TRIVIAL));
  rows.push(await count("gateway", gateway, 4691, VIEWER));
  if (base) rows.push(await count(`gateway at ${baseDir}`, base, 4692, VIEWER));
  rows.push(await count("gateway", gateway, 4691, NESTED));
  if (base) rows.push(await count(`gateway at ${baseDir}`, base, 4692, NESTED));
} finally {
  for (const p of started) {
    p.kill("SIGTERM");
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r)));
  }
  rmSync(dumps, { recursive: true, force: true });
}

const m = (x: number) => (x / 1e6).toFixed(3);
console.log(`\ninstructions per request (millions), callgrind, servers on Node ${execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim()}, ${ROUNDS} rounds each`);
console.log("scenario".padEnd(28) + "server".padEnd(34) + "main thread (median, range)".padStart(30) + "all threads".padStart(14));
for (const r of rows) {
  console.log(
    r.scenario.padEnd(28) + r.server.padEnd(34) + `${m(median(r.main))} (${m(Math.min(...r.main))}-${m(Math.max(...r.main))})`.padStart(30) + m(median(r.all)).padStart(14),
  );
}
