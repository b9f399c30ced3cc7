// `npm run bench`: the gateway next to PostGraphile 5 and to bare servers, on one seeded
// PostgreSQL database, in one run. Prints one table and writes bench/results.json (every
// figure with its unit and scenario). Quick mode (default) seeds 10,000 runs and measures
// 5 s per row; `--full` seeds 100,000 runs and measures 20 s per row.
// Statements per request are counted inside each server that talks to PostgreSQL
// (bench/count-statements.ts); server CPU is the server process's own (utime + stime), as a
// share of one core, and PostgreSQL's CPU is all of its processes' over the same window.
// The comparisons the issue sets targets for (the uncached nested page against PostGraphile,
// the viewer against bare Yoga) are measured in interleaved rounds, their ratios the medians.
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { BENCH_KEY, createRunRest, median, describePinning, freshDatabase, gqlClient, INGEST_LINES, INGEST_METRICS, ingestBodies, paced, PINNING, pinLoadGenerator, startGateway, startScript } from "./lib.js";
import { node22 } from "./node22.js";
import { NESTED_GATEWAY, projectName } from "./queries.js";
import { FULL, QUICK, seed } from "./seed.js";
import { effectiveMetricsColumn } from "./servers/effective-metrics-column.js";

const full = process.argv.includes("--full");
const size = full ? FULL : QUICK;
const seconds = full ? 20 : 5;
const CONNECTIONS = 32;

interface Row {
  scenario: string;
  server: string;
  rps: number;
  p50: number;
  p99: number;
  statements: number | null;
  cpu: number;
  /** PostgreSQL's CPU over the window, % of one core. */
  dbCpu: number;
  non2xx: number;
  /**
   * How its requests were sent: each on the answer to the one before (saturating), on a
   * fixed schedule (`rate`, latencies from when due), or at the SDK's pace (`every`).
   */
  load: "saturated" | "fixed" | "sdk";
}

interface Target {
  name: string;
  proc: ChildProcess;
  url: string;
  /** Whether the server was started with bench/count-statements.ts. */
  counted?: boolean;
}

/** The fields of /proc/<pid>/stat after the command name (field 3 onwards), or null if it has gone. */
function statFields(pid: number | string): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  } catch {
    return null;
  }
}

/** CPU seconds the process has used (utime + stime, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = statFields(pid)!;
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pids of PostgreSQL's processes. */
function postgresPids(): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
    } catch {
      return false;
    }
  });
}

/**
 * CPU seconds all of PostgreSQL's processes have used: each one's utime + stime, plus the
 * children's it has reaped (cutime + cstime), so that a backend which exits within a window
 * still counts, in its postmaster. A backend that exits during the scan itself could be
 * missed (reaped after its postmaster was read, gone before it was): PostGraphile's pool
 * closes idle connections, and one such exit once took 2 CPU seconds off a row. So the scan
 * is repeated until the same processes are there before and after it. Every bench server
 * shares this PostgreSQL, but a row drives one server at a time, and the others are idle.
 */
function postgresCpuSeconds(): number {
  for (;;) {
    const pids = postgresPids();
    let ticks = 0;
    for (const pid of pids) {
      const fields = statFields(pid);
      if (fields) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    }
    if (postgresPids().join() === pids.join()) return ticks / 100;
  }
}

async function waitFor(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not start`);
}

const COUNTED = ["./bench/count-statements.ts"];
// Every server on one runtime, so that rows compare servers and not Node versions:
// PostGraphile 5's engine needs Node 22, so all of them run on it (the gateway supports
// Node 20.19 and later; it measured 10–21% less CPU per page on 22 than on 20).
const NODE = node22();
const NODE_VERSION = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();

/** The statements a counted server has sent so far. */
function statementsOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    proc.once("message", (m) => resolve((m as { statements: number }).statements));
    proc.send("statements");
  });
}

const rows: Row[] = [];
/** The server's CPU time per answered request, in ms: what a request costs it, whatever the load. */
const cpuPerRequest = (r: Row) => (r.rps > 0 ? (r.cpu * 10) / r.rps : 0);
/** PostgreSQL's CPU time per answered request, in ms. */
const dbCpuPerRequest = (r: Row) => (r.rps > 0 ? (r.dbCpu * 10) / r.rps : 0);
/** Interleaved rounds of each comparison the issue sets a target for. */
const ROUNDS = 3;
const roundLabel = (round: number) => `, round ${round + 1}`;
/** `a` then `b`, ROUNDS times, every other round in the other order; each round's [a, b]. */
async function interleaved(a: (round: number) => Promise<Row>, b: (round: number) => Promise<Row>): Promise<[Row, Row][]> {
  const out: [Row, Row][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) out.push([await a(round), await b(round)]);
    else {
      const second = await b(round);
      out.push([await a(round), second]);
    }
  }
  return out;
}
/** Each round's [PostGraphile, uncached gateway] on the nested page, and [bare Yoga, viewer]. */
let nestedPairs: [Row, Row][] = [];
/** The median over the nested rounds of a figure of PostGraphile's (0) or the uncached gateway's (1) rows. */
const nestedMedian = (side: 0 | 1, figure: (r: Row) => number) => median(nestedPairs.map((pair) => figure(pair[side])));
/**
 * The load of the latency rows, as a share of the scenario's saturated rate (the slower
 * server's, where two are compared). A saturated row's p99 says little but how long its
 * queue is: 32 connections that each send their next request on an answer keep 32
 * requests in the server, so by Little's law its mean latency is 32 / throughput, 160 ms
 * at 200 req/s whatever the code, for PostGraphile as for the gateway. The latency a
 * client sees is measured below saturation, on a fixed schedule.
 */
const LOAD = 0.5;
const atLoad = (scenario: string, rate: number) => `${scenario}, half load (${Math.round(rate)} req/s)`;
let overheadPairs: [Row, Row][] = [];
const WARM_UP = 2;
/**
 * One autocannon run of WARM_UP + `seconds`, on the same 32 connections throughout; only
 * requests sent after the warm-up count. The warm-up is 2 s because a heavy page makes
 * about 40 requests in the first second, too few for V8 to have optimized the server.
 * Connections are not reopened for the measurement: on this VM any saturated Node server,
 * a bare node:http one included, serves some of a burst of new connections' first
 * requests seconds late (`bench/README.md`), and the warm-up's abandoned requests would
 * delay the first measured ones too.
 */
type BenchRequest = { url: string; method: "POST"; headers: Record<string, string>; body?: string };

/** Requests each unpaced row sends before its measured run, or as many as fit in WARM_CAP s. */
const WARM_REQUESTS = 1500;
/** The overhead ladder's least warm-up, in s (see warm). */
const LADDER_WARM = 8;
const WARM_CAP = 15;
/**
 * V8 needs far more than 2 s of a heavy page to reach its steady state: the uncached nested
 * page cost the gateway 10.3 CPU ms a request in its first 5 s, then 6.5, then 5.2–6.2
 * (bench/README.md), and `npm run bench:parts` warms up for 1,800 pages. So every unpaced
 * row first sends the same requests, up to WARM_REQUESTS, on connections of its own: the
 * 2 s warm-up of the measured run then only absorbs its new connections' slow start.
 * A cheap request needs time more than a count: the viewer, in 3 s runs from a fresh
 * gateway, read 2,284, 4,152, 5,554 and 5,927 req/s, so the rows of the overhead ladder
 * also warm for at least `seconds`.
 */
async function warm(request: BenchRequest, next: (r: BenchRequest) => BenchRequest, seconds = 0): Promise<void> {
  const until = performance.now() + seconds * 1000;
  let answered = 0;
  await new Promise<void>((resolve) => {
    const run = autocannon(
      { ...request, connections: CONNECTIONS, duration: WARM_CAP, requests: [{ setupRequest: (r) => next(r as BenchRequest) as autocannon.Request }] },
      () => resolve(),
    );
    run.on("response", () => {
      if (++answered >= WARM_REQUESTS && performance.now() >= until) run.stop();
    });
  });
}

let databaseUrl = "";
/** Writes out every dirty page of the bench database's server, and waits until it has. */
async function checkpoint(): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query("CHECKPOINT");
  await db.end();
}

async function measure(
  scenario: string,
  t: Target,
  // A body, or a body with headers of its own (ingest names its run in a header).
  opts: {
    path?: string;
    body: () => string | { body: string; headers: Record<string, string> };
    headers?: Record<string, string>;
    /**
     * Each connection sends one request every `every` ms, the connections' first requests
     * spread evenly over that interval (as independent clients' are). Unset, each connection
     * sends its next request as soon as it has an answer.
     */
    every?: number;
    /**
     * Requests per second over all connections, on a fixed schedule (lib.ts `paced`,
     * `fixed`): latencies count from when each request was due. For a warm server.
     */
    rate?: number;
    /**
     * A CHECKPOINT first: the row before wrote enough WAL to start one, whose writes would
     * otherwise land in this row's window (bench/README.md, "Latency at half load").
     */
    checkpoint?: boolean;
    /** Whether the server is already warm (a later round): no warm-up requests first. */
    warmed?: boolean;
    /** The least time the warm-up takes, in s (see warm). */
    warmSeconds?: number;
  },
): Promise<Row> {
  const url = `${t.url}${opts.path ?? "/graphql"}`;
  const request: BenchRequest = { url, method: "POST", headers: { "content-type": "application/json", ...opts.headers } };
  const next = (r: typeof request) => {
    const b = opts.body();
    return typeof b === "string" ? { ...r, body: b } : { ...r, headers: { ...r.headers, ...b.headers }, body: b.body };
  };
  const latencies: number[] = [];
  let non2xx = 0;
  let from = Infinity;
  let window: Promise<{ statements: number; cpu: number; dbCpu: number }> | undefined;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onResponse = (status: number, ms: number) => {
    if (performance.now() - ms < from) return; // sent during the warm-up
    latencies.push(ms);
    if (status < 200 || status >= 300) non2xx++;
  };
  const every = opts.rate ? (CONNECTIONS * 1000) / opts.rate : opts.every;
  if (!every && !opts.warmed) await warm(request, next, opts.warmSeconds);
  if (opts.checkpoint) await checkpoint();
  if (every) {
    paced(CONNECTIONS, () => next(request), every, (WARM_UP + seconds) * 1000, onResponse, { fixed: opts.rate != null }).then(done);
  } else {
    const run = autocannon(
      { ...request, connections: CONNECTIONS, duration: WARM_UP + seconds, requests: [{ setupRequest: (r) => next(r as typeof request) }] },
      () => done(),
    );
    run.on("response", (_client, status, _bytes, ms) => onResponse(status, ms));
  }
  setTimeout(() => {
    from = performance.now();
    window = (async () => ({ statements: t.counted ? await statementsOf(t.proc) : 0, cpu: cpuSeconds(t.proc.pid!), dbCpu: postgresCpuSeconds() }))();
  }, WARM_UP * 1000);
  await finished;
  const elapsed = (performance.now() - from) / 1000;
  const start = await window!;
  latencies.sort((x, y) => x - y);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const row: Row = {
    scenario,
    server: t.name,
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    statements: t.counted ? ((await statementsOf(t.proc)) - start.statements) / Math.max(1, latencies.length) : null,
    cpu: ((cpuSeconds(t.proc.pid!) - start.cpu) / elapsed) * 100,
    dbCpu: ((postgresCpuSeconds() - start.dbCpu) / elapsed) * 100,
    non2xx,
    load: opts.rate ? "fixed" : opts.every ? "sdk" : "saturated",
  };
  rows.push(row);
  console.error(`  ${scenario} / ${t.name}: ${row.rps.toFixed(0)} req/s`);
  return row;
}

// The same page on PostGraphile, aliased to the gateway's names so that the two answers can be
// compared (checkSameAnswers): the same tables, order and sizes. The runs' metric summaries
// come from the computed column of bench/servers/effective-metrics-column.ts, which gives
// them the gateway's meaning (a fork's summaries include the history it inherits). Remaining
// differences: no archived filter (storage_state has no index, so Amber offers no condition
// on it; the seeded runs are all available), and the organization is a condition rather than
// the key's.
const NESTED_POSTGRAPHILE = `query Page($org: Int!, $project: String!) {
  project: allProjects(condition: { organizationId: $org, name: $project }, first: 1) {
    nodes {
      runs: runsByProjectId(first: 50, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
        totalCount
        nodes {
          runId: rowId number name state createdAt
          forkedFrom: runByForkedFromId { runId: rowId }
          forks: runsByForkedFromId { totalCount }
          stateHistory: runStateEventsByRunId(last: 5, orderBy: ROW_ID_ASC) { nodes { fromState toState at } }
          metrics: effectiveMetrics { nodes { name count min max last: lastValue } }
        }
      }
    }
  }
}`;
// PostGraphile's own summaries instead (the run's own points only): a different answer for
// every fork, measured to show what the computed column costs.
const NESTED_POSTGRAPHILE_OWN = NESTED_POSTGRAPHILE.replace("metrics: effectiveMetrics", "metrics: metricsByRunId");

const RUN_PAGE = `query RunPage($runId: Int!) {
  run(runId: $runId) {
    runId displayId name state config forkStep
    lineage { runId displayId forkStep }
    stateHistory(first: 20) { totalCount nodes { fromState toState source at } }
    overview: metric(name: "loss") { summary { count min max last } buckets(count: 100) { fromStep last min max } }
    zoom: metric(name: "loss") { buckets(count: 50, fromStep: 0, toStep: 25) { fromStep last } }
    own: metric(name: "loss") { history(first: 50, ownOnly: true) { nodes { step value } } }
  }
}`;

const auth = { authorization: `Bearer ${BENCH_KEY}` };

/**
 * Whether the gateway and PostGraphile give the same nested page for every project, once
 * PostGraphile's wrappers are taken off (its project list, its metric connection) and times
 * are compared as instants (the two format offsets differently). A comparison of speeds is
 * only fair between equal answers.
 */
async function checkSameAnswers(gatewayPort: number, postgraphilePort: number, org: number, projects: number): Promise<void> {
  // The bench key goes to PostGraphile too, which ignores it.
  const ourPage = gqlClient(gatewayPort);
  const theirPage = gqlClient(postgraphilePort);
  const instants = (_key: string, v: unknown) => (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v).getTime() : v);
  for (let i = 1; i <= projects; i++) {
    const name = projectName(i);
    const ours = (await ourPage(NESTED_GATEWAY, { project: name })).project.runs;
    const theirs = (await theirPage(NESTED_POSTGRAPHILE, { org, project: name })).project.nodes[0].runs;
    for (const run of theirs.nodes) run.metrics = run.metrics.nodes;
    if (JSON.stringify(ours, instants) !== JSON.stringify(theirs, instants)) throw new Error(`the gateway and PostGraphile answer ${name}'s page differently`);
  }
}

/**
 * The floor of the nested page: Yoga and graphql-js executing the same query from memory
 * (bench/servers/bare.ts), with the gateway's own answers as its data, checked to give them
 * back byte for byte. What is left between this row and the gateway's uncached row is the
 * cost of fetching the page: statements, their rows, and the layers that map them.
 */
async function startFloor(gatewayPort: number, port: number, projects: number, started: ChildProcess[]): Promise<ChildProcess> {
  const ourPage = gqlClient(gatewayPort);
  const pages: Record<string, unknown> = {};
  for (let i = 1; i <= projects; i++) pages[projectName(i)] = (await ourPage(NESTED_GATEWAY, { project: projectName(i) })).project;
  const dir = mkdtempSync(join(tmpdir(), "bench-floor-"));
  writeFileSync(join(dir, "pages.json"), JSON.stringify(pages));
  const proc = startScript("bench/servers/bare.ts", { BARE: "page", PORT: String(port), PAGES: join(dir, "pages.json") }, { node: NODE });
  started.push(proc);
  try {
    await waitFor(`http://127.0.0.1:${port}/graphql`, '{"query":"{ __typename }"}');
  } finally {
    // Read at start; the server keeps its copy.
    rmSync(dir, { recursive: true, force: true });
  }
  const floorPage = gqlClient(port);
  for (const [name, page] of Object.entries(pages)) {
    if (JSON.stringify((await floorPage(NESTED_GATEWAY, { project: name })).project) !== JSON.stringify(page)) throw new Error(`the from-memory server answers ${name}'s page differently`);
  }
  return proc;
}


pinLoadGenerator();
const started: ChildProcess[] = [];
try {
  databaseUrl = await freshDatabase("gateway_bench_main");
  console.error(`seeding ${size.runs} runs in ${size.projects} projects…`);
  // No liveness sweeps: the seeded RUNNING runs never heartbeat, and sweeping them would
  // write during the measurements.
  const gatewayProc = await startGateway({ DATABASE_URL: databaseUrl, LIVENESS_SWEEP_INTERVAL: "0" }, 4660, { node: NODE, preload: COUNTED });
  started.push(gatewayProc);
  const t0 = performance.now();
  await seed(databaseUrl, "default", size);
  console.error(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const gateway: Target = { name: "gateway", proc: gatewayProc, url: "http://127.0.0.1:4660", counted: true };
  // The same gateway without its response cache: what every request costs when something
  // writes between two reads (a training run logging), which empties the cache.
  const uncachedProc = await startGateway({ DATABASE_URL: databaseUrl, LIVENESS_SWEEP_INTERVAL: "0", RESPONSE_CACHE_MB: "0" }, 4664, { node: NODE, preload: COUNTED });
  started.push(uncachedProc);
  const uncached: Target = { name: "gateway, no cache", proc: uncachedProc, url: "http://127.0.0.1:4664", counted: true };

  // PostGraphile's computed column for the runs' summaries, in place before it reads the schema.
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(effectiveMetricsColumn());
  await setup.end();
  const pglProc = startScript("bench/servers/postgraphile.ts", { DATABASE_URL: databaseUrl, PORT: "4661" }, { node: NODE, preload: COUNTED });
  started.push(pglProc);
  await waitFor("http://127.0.0.1:4661/graphql", '{"query":"{ __typename }"}');
  const postgraphile: Target = { name: "PostGraphile 5", proc: pglProc, url: "http://127.0.0.1:4661", counted: true };
  // The same server asked for its own summaries: the answer differs for every fork.
  const postgraphileOwn: Target = { ...postgraphile, name: "PostGraphile 5, own metrics" };

  const httpProc = startScript("bench/servers/bare.ts", { BARE: "http", PORT: "4662" }, { node: NODE });
  const yogaProc = startScript("bench/servers/bare.ts", { BARE: "yoga", PORT: "4663" }, { node: NODE });
  started.push(httpProc, yogaProc);
  await waitFor("http://127.0.0.1:4662/", "{}");
  await waitFor("http://127.0.0.1:4663/graphql", '{"query":"{ __typename }"}');

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const org = (await db.query<{ id: number }>("SELECT id FROM organizations WHERE slug = 'default'")).rows[0]!.id;
  const runIds = (await db.query<{ id: number }>("SELECT id FROM runs WHERE fork_depth = 9 ORDER BY id")).rows.map((r) => r.id);
  await db.end();

  await checkSameAnswers(4660, 4661, org, size.projects);
  console.error(`the gateway and PostGraphile give the same nested page for all ${size.projects} projects`);
  const floorProc = await startFloor(4660, 4665, size.projects, started);
  const floor: Target = { name: "graphql-js from memory", proc: floorProc, url: "http://127.0.0.1:4665" };
  console.error(`measuring, ${seconds} s per row at ${CONNECTIONS} connections…`);
  let n = 0;
  const project = () => projectName((n++ % size.projects) + 1);
  await measure("overhead: bare node:http", { name: "node:http", proc: httpProc, url: "http://127.0.0.1:4662" }, { path: "/", body: () => "{}" });
  // The two comparisons the issue sets are measured in ROUNDS interleaved pairs (the second
  // pair in the other order): this VM's speed moves by up to a third between rows of one run
  // (bare node:http read 16,449 req/s in one run and 24,165 in the next), more than the
  // differences measured.
  const yoga: Target = { name: "Yoga", proc: yogaProc, url: "http://127.0.0.1:4663" };
  overheadPairs = await interleaved(
    (round) => measure(`overhead: bare Yoga { __typename }${roundLabel(round)}`, yoga, { body: () => '{"query":"{ __typename }"}', warmed: round > 0, warmSeconds: LADDER_WARM }),
    (round) => measure(`overhead: authenticated viewer${roundLabel(round)}`, gateway, { body: () => '{"query":"{ viewer { organization { slug } } }"}', headers: auth, warmed: round > 0, warmSeconds: LADDER_WARM }),
  );
  const nestedBody = () => JSON.stringify({ query: NESTED_GATEWAY, variables: { project: project() } });
  const postgraphileBody = () => JSON.stringify({ query: NESTED_POSTGRAPHILE, variables: { org, project: project() } });
  await measure("nested history (50 runs)", gateway, { body: nestedBody, headers: auth });
  nestedPairs = await interleaved(
    (round) => measure(`nested history (50 runs)${roundLabel(round)}`, postgraphile, { body: postgraphileBody, warmed: round > 0 }),
    (round) => measure(`nested history (50 runs)${roundLabel(round)}`, uncached, { body: nestedBody, headers: auth, warmed: round > 0 }),
  );
  // Latency at a load the servers sustain, the same offered rate for both (see LOAD).
  const nestedLoad = LOAD * Math.min(nestedMedian(0, (r) => r.rps), nestedMedian(1, (r) => r.rps));
  const nestedAtLoad = atLoad("nested history (50 runs)", nestedLoad);
  await measure(nestedAtLoad, postgraphile, { body: postgraphileBody, rate: nestedLoad });
  await measure(nestedAtLoad, uncached, { body: nestedBody, headers: auth, rate: nestedLoad });
  await measure("nested history (50 runs)", floor, { body: nestedBody });
  // A different answer, so no target: in full mode only, to keep quick mode under 5 minutes.
  if (full) await measure("nested history (50 runs)", postgraphileOwn, { body: () => JSON.stringify({ query: NESTED_POSTGRAPHILE_OWN, variables: { org, project: project() } }) });
  await measure("run page (fork at depth 9)", gateway, { body: () => JSON.stringify({ query: RUN_PAGE, variables: { runId: runIds[n++ % runIds.length] } }), headers: auth });
  const runPageBody = () => JSON.stringify({ query: RUN_PAGE, variables: { runId: runIds[n++ % runIds.length] } });
  const runPageLoad = LOAD * (await measure("run page (fork at depth 9)", uncached, { body: runPageBody, headers: auth })).rps;
  await measure(atLoad("run page (fork at depth 9)", runPageLoad), uncached, { body: runPageBody, headers: auth, rate: runPageLoad });
  await measure("create (REST)", gateway, { path: "/api/runs/create", body: () => JSON.stringify({ runName: `c${++n}`, projectName: project() }), headers: auth });
  await measure("create (GraphQL)", gateway, {
    body: () => JSON.stringify({ query: "mutation($i: CreateRunInput!) { createRun(input: $i) { __typename } }", variables: { i: { projectName: project(), name: `g${++n}` } } }),
    headers: auth,
  });
  await measure("resume, 64 ranks of one job", gateway, { path: "/api/runs/create", body: () => JSON.stringify({ runName: "ddp", projectName: "jobs", externalId: `job-${Math.floor(n++ / 64)}` }), headers: auth });
  // Last: it writes, and every write empties the response cache of the rows above.
  const ingestRuns = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => createRunRest(gateway.url, `ingest-${i}`, "ingest")));
  const ingestBody = ingestBodies(ingestRuns);
  const ingestHeaders = { ...auth, "content-type": "application/x-ndjson", "x-project-name": "ingest" };
  const ingestLoad = LOAD * (await measure(`ingest (NDJSON, ${INGEST_LINES * INGEST_METRICS} points)`, gateway, { path: "/ingest/metrics", headers: ingestHeaders, body: ingestBody })).rps;
  await measure(atLoad("ingest", ingestLoad), gateway, { path: "/ingest/metrics", headers: ingestHeaders, body: ingestBody, rate: ingestLoad, checkpoint: true });
  // The same bodies at the SDK's pace: its sync process flushes each run about once a second
  // (at most 100 records a flush), so 32 runs logging flat out send about 32 requests/s.
  await measure("ingest, SDK pace (1/s per run)", gateway, { path: "/ingest/metrics", headers: ingestHeaders, body: ingestBody, every: 1000, checkpoint: true });
} finally {
  for (const p of started) {
    p.kill("SIGTERM");
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r)));
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
const SCENARIO = Math.max(...rows.map((r) => r.scenario.length)) + 2;
console.log(`\n${full ? "full" : "quick"} mode: ${size.runs} runs, ${seconds} s per row, ${CONNECTIONS} connections (autocannon), local PostgreSQL`);
console.log(`servers on Node ${NODE_VERSION}; ${describePinning()}`);
console.log(
  pad("scenario", SCENARIO) + pad("server", 29) + "req/s".padStart(8) + "p50 ms".padStart(8) + "p99 ms".padStart(8) + "SQL/req".padStart(9) + "CPU %".padStart(7) + "CPU ms/req".padStart(11) + "PG ms/req".padStart(10) + "non-2xx".padStart(9),
);
for (const r of rows) {
  console.log(
    pad(r.scenario, SCENARIO) + pad(r.server, 29) + r.rps.toFixed(0).padStart(8) + String(r.p50).padStart(8) + String(r.p99).padStart(8) +
      (r.statements == null ? "-" : r.statements.toFixed(2)).padStart(9) + r.cpu.toFixed(0).padStart(7) + cpuPerRequest(r).toFixed(2).padStart(11) + dbCpuPerRequest(r).toFixed(2).padStart(10) + String(r.non2xx).padStart(9),
  );
}
const nestedRow = (server: string) => rows.find((r) => r.scenario.startsWith("nested") && r.server === server)!;
const nested = (server: string) => nestedRow(server).rps;
const postgraphileRps = nestedMedian(0, (r) => r.rps);
const uncachedRps = nestedMedian(1, (r) => r.rps);
const roundRatios = nestedPairs.map(([theirs, ours]) => ours.rps / theirs.rps);
const trivialShares = overheadPairs.map(([bare, viewer]) => viewer.rps / bare.rps);
const nestedRatio = nested("gateway") / postgraphileRps;
const uncachedRatio = median(roundRatios);
// Against PostGraphile answering with the runs' own summaries, which is less work and not the same page (full mode).
const ownRps = rows.find((r) => r.server === "PostGraphile 5, own metrics")?.rps;
const ownRatio = ownRps && nested("gateway") / ownRps;
const uncachedOwnRatio = ownRps && uncachedRps / ownRps;
const trivialShare = median(trivialShares);
const ingest = rows.find((r) => r.scenario.startsWith("ingest ("))!;
console.log(`\ningest: ${Math.round(ingest.rps * INGEST_LINES * INGEST_METRICS).toLocaleString("en")} points/s`);
console.log(
  `nested history, gateway / PostGraphile: ${nestedRatio.toFixed(2)} (without the response cache: ${uncachedRatio.toFixed(2)}); authenticated viewer / bare Yoga: ${(trivialShare * 100).toFixed(0)}%`,
);
if (ownRatio && uncachedOwnRatio) {
  console.log(
    `nested history, gateway / PostGraphile with the runs' own summaries (not the same answer): ${ownRatio.toFixed(2)} (without the response cache: ${uncachedOwnRatio.toFixed(2)})`,
  );
}
const perPage = (side: 0 | 1) => `${nestedMedian(side, cpuPerRequest).toFixed(2)} + ${nestedMedian(side, dbCpuPerRequest).toFixed(2)} ms`;
const rounds = (values: number[], format: (v: number) => string) => values.map(format).join(", ");
console.log(`in each of ${ROUNDS} interleaved rounds: nested history without the cache, gateway / PostGraphile ${rounds(roundRatios, (r) => r.toFixed(2))}; viewer / bare Yoga ${rounds(trivialShares, (r) => `${(r * 100).toFixed(0)}%`)} (medians above)`);
console.log(
  `nested history, CPU per page (server + PostgreSQL, median of the rounds): gateway without the cache ${perPage(1)}, PostGraphile ${perPage(0)}; graphql-js from memory ${cpuPerRequest(nestedRow("graphql-js from memory")).toFixed(2)} ms`,
);
// The issue's latency target, for the gateway's rows: at saturation (where the p99 is the
// queue's length, see LOAD) and at half load.
const P99_TARGET = 100;
const gatewayRows = rows.filter((r) => r.server.startsWith("gateway"));
const overTarget = (load: Row["load"]) => gatewayRows.filter((r) => r.load === load && r.p99 > P99_TARGET);
const described = (rs: Row[]) => (rs.length ? rs.map((r) => `${r.scenario} / ${r.server} ${r.p99} ms`).join("; ") : "none");
console.log(`gateway rows with a p99 above ${P99_TARGET} ms at ${CONNECTIONS} connections, at half load (fixed schedule, latency from when due): ${described(overTarget("fixed"))}`);
console.log(`  saturated (each connection sends on an answer; mean latency = ${CONNECTIONS} / throughput): ${described(overTarget("saturated"))}`);
writeFileSync(
  "bench/results.json",
  `${JSON.stringify(
    {
      mode: full ? "full" : "quick",
      pinning: PINNING ?? "none",
      node: NODE_VERSION,
      at: new Date().toISOString(),
      size,
      seconds,
      connections: CONNECTIONS,
      figures: rows.flatMap((r) => [
        { scenario: r.scenario, server: r.server, metric: "throughput", value: Math.round(r.rps), unit: "requests/s" },
        ...(r.scenario.startsWith("ingest") ? [{ scenario: r.scenario, server: r.server, metric: "throughput", value: Math.round(r.rps * INGEST_LINES * INGEST_METRICS), unit: "points/s" }] : []),
        { scenario: r.scenario, server: r.server, metric: "latency p50", value: r.p50, unit: "ms" },
        { scenario: r.scenario, server: r.server, metric: "latency p99", value: r.p99, unit: "ms" },
        ...(r.statements == null ? [] : [{ scenario: r.scenario, server: r.server, metric: "SQL statements", value: Number(r.statements.toFixed(2)), unit: "per request" }]),
        { scenario: r.scenario, server: r.server, metric: "server CPU", value: Math.round(r.cpu), unit: "% of one core" },
        { scenario: r.scenario, server: r.server, metric: "server CPU per request", value: Number(cpuPerRequest(r).toFixed(2)), unit: "ms" },
        { scenario: r.scenario, server: r.server, metric: "PostgreSQL CPU", value: Math.round(r.dbCpu), unit: "% of one core" },
        { scenario: r.scenario, server: r.server, metric: "PostgreSQL CPU per request", value: Number(dbCpuPerRequest(r).toFixed(2)), unit: "ms" },
        { scenario: r.scenario, server: r.server, metric: "non-2xx", value: r.non2xx, unit: "responses" },
      ]),
      ratios: {
        nestedHistoryGatewayOverPostGraphile: Number(nestedRatio.toFixed(2)),
        nestedHistoryUncachedGatewayOverPostGraphile: Number(uncachedRatio.toFixed(2)),
        nestedHistoryUncachedGatewayOverPostGraphileByRound: roundRatios.map((r) => Number(r.toFixed(2))),
        authenticatedTrivialOverBareYogaByRound: trivialShares.map((r) => Number(r.toFixed(2))),
        ...(ownRatio && uncachedOwnRatio
          ? { nestedHistoryGatewayOverPostGraphileOwnMetrics: Number(ownRatio.toFixed(2)), nestedHistoryUncachedGatewayOverPostGraphileOwnMetrics: Number(uncachedOwnRatio.toFixed(2)) }
          : {}),
        authenticatedTrivialOverBareYoga: Number(trivialShare.toFixed(2)),
      },
      p99Target: {
        ms: P99_TARGET,
        load: LOAD,
        gatewayRowsOverAtLoad: overTarget("fixed").map((r) => `${r.scenario} / ${r.server}`),
        gatewayRowsOverSaturated: overTarget("saturated").map((r) => `${r.scenario} / ${r.server}`),
      },
    },
    null,
    2,
  )}\n`,
);
console.log("figures written to bench/results.json");
