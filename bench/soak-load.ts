// A mixed load, as production sees it: new runs, a distributed job's 64 ranks resuming one
// run, state updates, NDJSON metric ingest, and the frontend's nested history read. Used by
// bench/soak.ts (minutes) and test/soak.test.ts (seconds, in CI).

export interface SoakOptions {
  /** The gateway's base URL. */
  url: string;
  key: string;
  seconds: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface OpFigures {
  count: number;
  /** Answers that were not what the operation expects (5xx, GraphQL errors, typed failures). */
  unexpected: number;
  p50: number;
  p99: number;
  /** One example of an unexpected answer, to start a diagnosis from. */
  example?: string;
}

export interface SoakResult {
  seconds: number;
  requests: number;
  perSecond: number;
  ops: Record<string, OpFigures>;
  rssStartBytes: number;
  rssEndBytes: number;
}

const NESTED = `query Page($project: String!) {
  project(name: $project) {
    runs(first: 20) {
      totalCount
      nodes {
        runId displayId state forkedFrom { runId } forks { totalCount }
        stateHistory(last: 5) { nodes { fromState toState at } }
        metric(name: "train/loss") { summary { count last min } }
      }
    }
  }
}`;

const UPDATE_STATE = `mutation($runId: Int!, $state: RunState!) {
  updateRunState(input: { runId: $runId, state: $state, force: true }) { __typename ... on Error { message } }
}`;

/** Resident memory from the gateway's own /metrics. */
async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^gateway_process_resident_memory_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

const percentile = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]! : 0);

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const auth = { authorization: `Bearer ${o.key}` };
  const runs: number[] = [];
  const steps = new Map<number, number>();
  const latencies: Record<string, number[]> = {};
  const ops: Record<string, OpFigures> = {};
  let n = 0;

  const post = async (path: string, body: string, contentType = "application/json", extra: Record<string, string> = {}) => {
    const res = await fetch(`${o.url}${path}`, { method: "POST", headers: { "content-type": contentType, ...auth, ...extra }, body });
    return { status: res.status, text: await res.text() };
  };
  const gql = (query: string, variables: Record<string, unknown>) => post("/graphql", JSON.stringify({ query, variables }));

  /** Each operation answers whether its answer was the expected one. */
  const OPERATIONS: [string, number, () => Promise<{ ok: boolean; text: string }>][] = [
    [
      "create",
      20,
      async () => {
        const r = await post("/api/runs/create", JSON.stringify({ runName: `soak ${++n}`, projectName: `soak-${n % 8}`, tags: null, config: '{"lr": 0.001}' }));
        if (r.status === 200) runs.push(JSON.parse(r.text).runId);
        return { ok: r.status === 200, text: r.text };
      },
    ],
    [
      "resume (64 ranks)",
      20,
      async () => {
        // Jobs of 64 ranks each: every rank's create lands on its job's one run.
        const job = Math.floor(n++ / 64) % 16;
        const r = await post("/api/runs/create", JSON.stringify({ runName: `job ${job}`, projectName: "soak-jobs", externalId: `job-${job}`, config: '{"world": 64}' }));
        return { ok: r.status === 200, text: r.text };
      },
    ],
    [
      "state update",
      10,
      async () => {
        const runId = runs[Math.floor(Math.random() * runs.length)];
        if (runId === undefined) return { ok: true, text: "" };
        const r = await gql(UPDATE_STATE, { runId, state: Math.random() < 0.5 ? "RUNNING" : "PAUSED" });
        return { ok: r.status === 200 && r.text.includes("UpdateRunStateSuccess"), text: r.text };
      },
    ],
    [
      "ingest (NDJSON)",
      25,
      async () => {
        const runId = runs[Math.floor(Math.random() * Math.min(runs.length, 64))];
        if (runId === undefined) return { ok: true, text: "" };
        // Steps only grow per run; concurrent bodies for one run may interleave, which
        // the gateway handles by replacing (run, name, step).
        const from = steps.get(runId) ?? 0;
        steps.set(runId, from + 20);
        let body = "";
        for (let s = from; s < from + 20; s++) body += `${JSON.stringify({ time: Date.now(), step: s, data: { "train/loss": 1 / (s + 1), "train/acc": s / (s + 1) } })}\n`;
        const r = await post("/ingest/metrics", body, "application/x-ndjson", { "x-run-id": String(runId), "x-project-name": "soak" });
        return { ok: r.status === 200, text: r.text };
      },
    ],
    [
      "nested read",
      25,
      async () => {
        const r = await gql(NESTED, { project: `soak-${Math.floor(Math.random() * 8)}` });
        return { ok: r.status === 200 && !r.text.includes('"errors"'), text: r.text };
      },
    ],
  ];
  const total = OPERATIONS.reduce((s, [, w]) => s + w, 0);
  const pick = () => {
    let x = Math.random() * total;
    for (const op of OPERATIONS) if ((x -= op[1]) < 0) return op;
    return OPERATIONS[0]!;
  };

  const rssStartBytes = await rssOf(o.url);
  const t0 = performance.now();
  const until = t0 + o.seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const [name, , run] = pick();
      const figures = (ops[name] ??= { count: 0, unexpected: 0, p50: 0, p99: 0 });
      const started = performance.now();
      let outcome: { ok: boolean; text: string };
      try {
        outcome = await run();
      } catch (e) {
        outcome = { ok: false, text: String(e) };
      }
      (latencies[name] ??= []).push(performance.now() - started);
      figures.count++;
      if (!outcome.ok) {
        figures.unexpected++;
        figures.example ??= outcome.text.slice(0, 300);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  for (const [name, xs] of Object.entries(latencies)) {
    xs.sort((a, b) => a - b);
    ops[name]!.p50 = Math.round(percentile(xs, 50) * 10) / 10;
    ops[name]!.p99 = Math.round(percentile(xs, 99) * 10) / 10;
  }
  const requests = Object.values(ops).reduce((s, f) => s + f.count, 0);
  return { seconds, requests, perSecond: requests / seconds, ops, rssStartBytes, rssEndBytes: await rssOf(o.url) };
}

export function printSoak(r: SoakResult): void {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(`\n${r.requests} requests in ${r.seconds.toFixed(0)} s: ${r.perSecond.toFixed(0)} req/s`);
  console.log("operation".padEnd(22) + "count".padStart(9) + "unexpected".padStart(12) + "p50 ms".padStart(9) + "p99 ms".padStart(9));
  for (const [name, f] of Object.entries(r.ops)) {
    console.log(name.padEnd(22) + String(f.count).padStart(9) + String(f.unexpected).padStart(12) + String(f.p50).padStart(9) + String(f.p99).padStart(9));
    if (f.example) console.log(`  e.g. ${f.example}`);
  }
  const growth = ((r.rssEndBytes - r.rssStartBytes) / r.rssStartBytes) * 100;
  console.log(`resident memory: ${mb(r.rssStartBytes)} at start, ${mb(r.rssEndBytes)} at end (${growth >= 0 ? "+" : ""}${growth.toFixed(1)}%)`);
}
