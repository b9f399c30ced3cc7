import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import autocannon from "autocannon";
import pg from "pg";

// Shared by the benchmark scripts: a throwaway PostgreSQL database, the gateway in its own
// process (so the load generator does not share its event loop), and autocannon runs.

export const BENCH_KEY = "mlps_benchbenchbenchbenchbenchbenchbench00";

/**
 * The load generator on the last CPU, the servers on the others, when the machine has 4 or
 * more (PostgreSQL, a system service, is left where it runs). On fewer, pinning would take
 * half the machine from the servers, so nothing is pinned and the load generator shares the
 * CPUs with them. Null when nothing is pinned.
 */
export const PINNING: { generator: string; servers: string } | null = (() => {
  const cpus = availableParallelism();
  if (cpus < 4 || spawnSync("taskset", ["--version"]).status !== 0) return null;
  return { generator: String(cpus - 1), servers: `0-${cpus - 2}` };
})();

/** Pins this process (the load generator), all its threads, as PINNING says. */
export function pinLoadGenerator(): void {
  if (PINNING) execFileSync("taskset", ["-a", "-pc", PINNING.generator, String(process.pid)], { stdio: "ignore" });
}

export function describePinning(): string {
  return PINNING
    ? `autocannon pinned to CPU ${PINNING.generator}, servers to CPUs ${PINNING.servers}`
    : `not pinned: ${availableParallelism()} CPUs shared by autocannon, the servers and PostgreSQL (pinning needs 4 or more)`;
}

export async function freshDatabase(name: string): Promise<string> {
  if (!/bench/.test(name)) throw new Error(`refusing to recreate ${name}: bench databases have "bench" in their name`);
  const admin = process.env.BENCH_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface ScriptOptions {
  /** The Node binary (default: this one's). */
  node?: string;
  /** Modules to --import first (bench/count-statements.ts). */
  preload?: string[];
  /** A command the process runs under (valgrind and its options). */
  wrap?: string[];
  /** The checkout to run the script from (default: this one). */
  cwd?: string;
}

/** A TypeScript script in a process of its own, in production mode; the child gets an IPC channel. */
export function startScript(script: string, env: Record<string, string>, opts: ScriptOptions = {}): ChildProcess {
  const command = [...(opts.wrap ?? []), opts.node ?? process.execPath, "--import", "tsx", ...(opts.preload ?? []).flatMap((m) => ["--import", m]), script];
  // taskset execs the server in its place: the child's pid is the server's.
  const [file, ...args] = PINNING ? ["taskset", "-c", PINNING.servers, ...command] : command;
  return spawn(file!, args, {
    cwd: opts.cwd,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
}

/** The gateway in a process of its own; `opts` as startScript's, and how long it may take to answer. */
export async function startGateway(env: Record<string, string>, port: number, opts: ScriptOptions & { waitSeconds?: number } = {}): Promise<ChildProcess> {
  // One key drives every scenario, far above any per-key rate a deployment would allow.
  const proc = startScript("src/main.ts", { PORT: String(port), LOG_LEVEL: "warn", BOOTSTRAP_API_KEY: BENCH_KEY, RATE_LIMIT_PER_SECOND: "0", ...env }, opts);
  for (let i = 0; i < (opts.waitSeconds ?? 30) * 10; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/graphql?query=%7B__typename%7D`, { headers: { "x-graphql-yoga-csrf": "1" } })).ok) return proc;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error("gateway did not start");
}

export async function stopGateway(proc: ChildProcess): Promise<void> {
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
}

export interface Figures {
  scenario: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export async function load(
  scenario: string,
  opts: { url: string; connections: number; seconds: number; body: () => string; headers?: Record<string, string> },
): Promise<Figures> {
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    method: "POST",
    headers: { "content-type": "application/json", ...opts.headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: opts.body() }) }],
  });
  return {
    scenario,
    connections: opts.connections,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export function printTable(title: string, rows: Figures[]): void {
  console.log(`\n${title}`);
  console.log("scenario".padEnd(40) + "conns".padStart(6) + "req/s".padStart(9) + "p50 ms".padStart(8) + "p99 ms".padStart(8) + "non-2xx".padStart(9) + "errors".padStart(8));
  for (const r of rows) {
    console.log(
      r.scenario.padEnd(40) +
        String(r.connections).padStart(6) +
        r.rps.toFixed(0).padStart(9) +
        String(r.p50).padStart(8) +
        String(r.p99).padStart(8) +
        String(r.non2xx).padStart(9) +
        String(r.errors).padStart(8),
    );
  }
}

/** GraphQL over HTTP with the bench key; throws on errors, returns `data`. */
export function gqlClient(port: number) {
  return async (query: string, variables: Record<string, unknown> = {}): Promise<any> => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as any;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
}

/** The middle value (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall time of `n` sequential calls, in ms. */
export async function medianMs(f: () => Promise<unknown>, n: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/** A run created through Pluto's REST route, as the SDK creates one. */
export async function createRunRest(base: string, runName: string, projectName: string): Promise<number> {
  const res = await fetch(`${base}/api/runs/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ runName, projectName }),
  });
  return ((await res.json()) as { runId: number }).runId;
}

/** An /ingest/metrics body as the pluto-ml SDK sends it: `lines` steps from `fromStep`, each logging every name. */
export function ndjsonMetrics(fromStep: number, lines: number, names: readonly string[]): string {
  let out = "";
  for (let l = 0; l < lines; l++) {
    const step = fromStep + l;
    const data: Record<string, number> = {};
    for (const n of names) data[n] = Math.sin(step / 100) + n.length;
    out += `${JSON.stringify({ time: Date.now(), step, data })}\n`;
  }
  return out;
}

// Ingest as the pluto-ml SDK sends it: NDJSON bodies of 100 lines (steps) of 20 metrics.
export const INGEST_LINES = 100;
export const INGEST_METRICS = 20;
const INGEST_NAMES = Array.from({ length: INGEST_METRICS }, (_, i) => `train/m${i}`);

/** The next ingest body of each run in turn, the run named in its `x-run-id` header. */
export function ingestBodies(runIds: readonly number[]): () => { headers: Record<string, string>; body: string } {
  const stepOf = new Map<number, number>();
  let turn = 0;
  return () => {
    const runId = runIds[turn++ % runIds.length]!;
    // Steps only grow per run, as a training loop's do.
    const step = stepOf.get(runId) ?? 0;
    stepOf.set(runId, step + INGEST_LINES);
    return { headers: { "x-run-id": String(runId) }, body: ndjsonMetrics(step, INGEST_LINES, INGEST_NAMES) };
  };
}

/**
 * `clients` clients, each sending a request every `every` ms for `duration` ms, the first
 * ones spread over one interval. autocannon's own rate limit starts every connection's
 * second at the same instant, which turns a steady rate into bursts of 32.
 *
 * A client whose answer takes longer than the interval is late for its next request. By
 * default it sends it when the answer comes and counts its latency from then, as the SDK's
 * sync process would see it. With `fixed`, the schedule holds (a late client catches up
 * by sending at once) and every latency counts from the moment the request was due: a
 * slow answer then also counts in the wait of the requests queued behind it, which a
 * latency counted from the send hides ("coordinated omission", as wrk2 corrects it).
 * Resolves once every request sent has its answer.
 */
export async function paced(
  clients: number,
  next: () => { url: string; method: string; headers: Record<string, string>; body: string },
  every: number,
  duration: number,
  onResponse: (status: number, ms: number) => void,
  { fixed = false }: { fixed?: boolean } = {},
): Promise<void> {
  const end = performance.now() + duration;
  const client = async (offset: number) => {
    for (let at = performance.now() + offset; at < end; ) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
      const { url, ...init } = next();
      const sent = performance.now();
      const res = await fetch(url, init);
      await res.arrayBuffer();
      onResponse(res.status, performance.now() - (fixed ? at : sent));
      at = fixed ? at + every : Math.max(at + every, performance.now());
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client((i * every) / clients)));
}
