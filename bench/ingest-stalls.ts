// `npm run bench:ingest-stalls`: why a run logging at the SDK's pace sometimes waits. 32 runs
// ingest flat out for a few seconds (a burst, as `npm run bench`'s row before the SDK-paced
// row), then each sends one body a second, as the pluto SDK does. Every slow answer is listed
// with when it was sent, and what PostgreSQL's client backends were waiting on while the paced
// requests ran is sampled from pg_stat_activity every few milliseconds, so a stall can be
// told apart: the gateway's CPU ("CPU" here is a backend that waits on nothing), the WAL's
// flushes and new segments, a table's extension, or new connections.
import autocannon from "autocannon";
import pg from "pg";
import { BENCH_KEY, createRunRest, freshDatabase, INGEST_LINES, INGEST_METRICS, ingestBodies, paced, startGateway, stopGateway } from "./lib.js";
import { node22 } from "./node22.js";

const BURST_SECONDS = Number(process.argv[2] ?? 7);
const PACED_SECONDS = Number(process.argv[3] ?? 8);
const RUNS = 32;
const SLOW_MS = 60;

const databaseUrl = await freshDatabase("gateway_bench_ingest_stalls");
const gateway = await startGateway({ DATABASE_URL: databaseUrl, LIVENESS_SWEEP_INTERVAL: "0" }, 4720, { node: node22() });
const base = "http://127.0.0.1:4720";
const runs = await Promise.all(Array.from({ length: RUNS }, (_, i) => createRunRest(base, `stalls-${i}`, "ingest")));
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/x-ndjson", "x-project-name": "ingest" };
const nextBody = ingestBodies(runs);
const next = () => {
  const b = nextBody();
  return { url: `${base}/ingest/metrics`, method: "POST" as const, headers: { ...headers, ...b.headers }, body: b.body };
};

const monitor = new pg.Client({ connectionString: databaseUrl });
await monitor.connect();
const t0 = performance.now();
const at = () => performance.now() - t0;
const waits: { t: number; events: string[] }[] = [];
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    const { rows } = await monitor.query<{ w: string }>(
      `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()`,
    );
    waits.push({ t: at(), events: rows.map((r) => r.w) });
    await new Promise((r) => setTimeout(r, 5));
  }
})();

console.error(`burst: ${RUNS} connections flat out for ${BURST_SECONDS} s…`);
const burst = await new Promise<autocannon.Result>((resolve, reject) =>
  autocannon(
    { url: `${base}/ingest/metrics`, connections: RUNS, duration: BURST_SECONDS, requests: [{ setupRequest: (r) => ({ ...r, ...next() }) }] },
    (err, result) => (err ? reject(err) : resolve(result)),
  ),
);
const burstEnd = at();
console.error(`SDK pace: one body a second per run for ${PACED_SECONDS} s…`);
const answers: { sent: number; ms: number; status: number }[] = [];
await paced(RUNS, next, 1000, PACED_SECONDS * 1000, (status, ms) => answers.push({ sent: at() - ms, ms, status }));
sampling = false;
await sampler;
await monitor.end();
await stopGateway(gateway);

const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]!.toFixed(0);
const fmt = (t: number) => `${((t - burstEnd) / 1000).toFixed(2)} s`;
console.log(`\nburst: ${Math.round(burst.requests.average)} requests/s (${Math.round(burst.requests.average * INGEST_LINES * INGEST_METRICS).toLocaleString("en")} points/s), p99 ${burst.latency.p99} ms`);
console.log(`SDK pace: ${answers.length} requests, ${answers.filter((a) => a.status !== 200).length} not 200; p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
console.log(`slow answers (over ${SLOW_MS} ms), by when they were sent after the burst ended:`);
for (const a of answers.filter((a) => a.ms > SLOW_MS).sort((x, y) => x.sent - y.sent)) console.log(`  sent at ${fmt(a.sent)}: ${a.ms.toFixed(0)} ms`);
// What the active backends waited on, second by second of the paced requests.
console.log("PostgreSQL client backends' waits while the paced requests ran (samples, per second after the burst):");
for (let s = 0; s < PACED_SECONDS; s++) {
  const window = waits.filter((w) => w.t >= burstEnd + s * 1000 && w.t < burstEnd + (s + 1) * 1000);
  const count = new Map<string, number>();
  for (const w of window) for (const e of w.events) count.set(e, (count.get(e) ?? 0) + 1);
  const top = [...count].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([e, n]) => `${e} ${n}`);
  console.log(`  ${s}-${s + 1} s (${window.length} samples): ${top.join(", ") || "none active"}`);
}
