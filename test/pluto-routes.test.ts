import { beforeAll, describe, expect, it } from "vitest";
import { listen } from "./helpers/http.js";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Each Pluto lifecycle route's success and error bodies (pluto-wire.md §3), through the
// real HTTP server; a rejected request changes nothing.

let app: TestApp;
let acme: TestOrg;
let other: TestOrg;
let base: string;

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  other = await app.org("other");
  base = await listen(app.yoga);
});

async function call(method: "GET" | "POST", path: string, body?: unknown, org: TestOrg | null = acme, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(org ? { authorization: `Bearer ${org.key}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text answers (ingest)
  }
  return { status: res.status, body: parsed };
}
const post = (path: string, body: unknown, org: TestOrg | null = acme) => call("POST", path, body, org);

/** Asserts the answer and that nothing was written (row counts, and the run row itself). */
async function rejects(send: () => Promise<{ status: number; body: any }>, status: number, body: object, runId?: number) {
  const before = await Promise.all([app.counts(), runId ? app.prisma.run.findUnique({ where: { id: runId } }) : null, app.prisma.runLogName.count(), app.prisma.runLogLine.count()]);
  const answer = await send();
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject(body);
  const after = await Promise.all([app.counts(), runId ? app.prisma.run.findUnique({ where: { id: runId } }) : null, app.prisma.runLogName.count(), app.prisma.runLogLine.count()]);
  expect(after).toEqual(before);
}

const newRun = async (input: Record<string, unknown> = {}) => (await createRunOk(acme, { projectName: "routes", ...input })).run.runId as number;

describe("authentication", () => {
  it("api routes answer Pluto's 401 bodies; py routes FastAPI's; ingest wraps it in 422", async () => {
    const runId = await newRun();
    expect(await post("/api/runs/tags/update", { runId, tags: [] }, null)).toEqual({ status: 401, body: { error: "Unauthorized" } });
    expect(await call("POST", "/api/runs/tags/update", { runId, tags: [] }, null, { authorization: "Bearer mlps_nope" })).toMatchObject({ status: 401, body: { error: "Unauthorized", message: "Key not found" } });
    expect(await call("POST", "/api/runs/trigger", { runId }, null, { authorization: "Bearer nope" })).toEqual({ status: 401, body: { detail: "Invalid API key" } });
    const ingest = await call("POST", "/ingest/metrics", `{"time":1,"step":1,"data":{"a":1}}\n`, null, { authorization: "Bearer mlps_nope", "x-run-id": String(runId), "x-project-name": "routes" });
    expect(ingest.status).toBe(422);
    expect(ingest.body).toEqual({ code: "PROCESSING_FAILED", message: "Failed to process metrics stream: InvalidToken (1002 - Authentication Error): Key not found" });
  });

  it("another organization's run is not found, and untouched", async () => {
    const runId = await newRun();
    for (const [path, body] of [
      ["/api/runs/tags/update", { runId, tags: ["x"] }],
      ["/api/runs/config/update", { runId, config: "{}" }],
      ["/api/runs/notes/update", { runId, notes: "n" }],
      ["/api/runs/status/update", { runId, status: "COMPLETED" }],
      ["/api/runs/logName/add", { runId, logName: ["a"], logType: "METRIC" }],
      ["/api/runs/resume", { runId }],
    ] as const) {
      await rejects(() => post(path, body, other), 404, { error: "Run not found" }, runId);
    }
    await rejects(() => post("/api/runs/trigger", { runId }, other), 404, { detail: "Run not found" }, runId);
    await rejects(() => call("GET", `/api/runs/details/${runId}`, undefined, other), 404, { error: "Run not found" });
  });
});

describe("bodies", () => {
  it("malformed JSON and schema failures are 400 with a readable error, writing nothing", async () => {
    const runId = await newRun();
    await rejects(() => post("/api/runs/tags/update", "{nope"), 400, { error: "Malformed JSON in request body" }, runId);
    await rejects(() => post("/api/runs/tags/update", { runId, tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), 400, { error: expect.stringContaining("tags") }, runId);
    await rejects(() => post("/api/runs/tags/update", { runId, tags: ["group:a", "group:b"] }), 400, { error: "A run can have at most one group:* tag." }, runId);
    await rejects(() => post("/api/runs/config/update", { runId, config: null }), 400, { error: expect.stringContaining("config") }, runId);
    await rejects(() => post("/api/runs/config/update", { runId, config: "[1,2]" }), 400, { error: "Invalid config JSON: expected an object" }, runId);
    await rejects(() => post("/api/runs/config/update", { runId, config: "{bad" }), 400, { error: "Invalid config JSON: expected an object" }, runId);
    await rejects(() => post("/api/runs/status/update", { runId, status: "DONE" }), 400, { error: expect.stringContaining("status") }, runId);
    await rejects(() => post("/api/runs/status/update", { runId, status: "FAILED", statusMetadata: "{oops" }), 400, { error: "Invalid statusMetadata JSON" }, runId);
    await rejects(() => post("/api/runs/logName/add", { runId, logName: ["g"], logType: "GRAPH" }), 400, { error: expect.stringContaining("logType") }, runId);
    await rejects(() => post("/api/runs/notes/update", { runId, notes: "x".repeat(1001) }), 400, { error: expect.stringContaining("notes") }, runId);
    await rejects(() => post("/api/runs/resume", { runId, displayId: "ROU-1" }), 400, { error: "body: Provide exactly one of: runId, displayId, or externalId" });
    await rejects(() => post("/api/runs/resume", { externalId: "x" }), 400, { error: "projectName is required with externalId" });
    expect(await call("GET", "/api/runs/tags/update")).toMatchObject({ status: 405, body: { error: "Method Not Allowed" } });
  });
});

describe("routes", () => {
  it("slug answers the key's organization", async () => {
    expect(await post("/api/slug", {})).toEqual({ status: 200, body: { organization: { id: acme.id, slug: "acme", name: "acme" } } });
  });

  it("resume by runId, displayId and externalId; a finished run goes back to RUNNING", async () => {
    const runId = await newRun({ externalId: "ext-1" });
    const run = await app.prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { project: true } });
    const displayId = `${run.project.runPrefix}-${run.number}`;
    await post("/api/runs/status/update", { runId, status: "COMPLETED" });
    const byId = await post("/api/runs/resume", { runId });
    expect(byId).toMatchObject({ status: 200, body: { runId, displayId, resumed: true, forkedFromRunId: null, forkStep: null, projectName: "routes", organizationSlug: "acme" } });
    expect(byId.body.url).toMatch(/\/o\/acme\/projects\/routes\/[A-Za-z0-9]{5,}$/);
    expect((await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe("RUNNING");
    expect((await post("/api/runs/resume", { displayId })).body.runId).toBe(runId);
    expect((await post("/api/runs/resume", { externalId: "ext-1", projectName: "routes" })).body.runId).toBe(runId);
    expect(await post("/api/runs/resume", { displayId: "bad id" })).toMatchObject({ status: 400 });
    // Two projects sharing a prefix: ambiguous.
    await createRunOk(acme, { projectName: "ro-u", name: "twin" });
    await createRunOk(acme, { projectName: "rou", name: "twin" });
    expect(await post("/api/runs/resume", { displayId: "ROU-1" })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/^displayId 'ROU-1' is ambiguous/) } });
  });

  it("status update: severity wins among final states, a refused report is answered as success", async () => {
    const runId = await newRun();
    for (const status of ["COMPLETED", "FAILED", "COMPLETED", "TERMINATED"]) {
      expect(await post("/api/runs/status/update", { runId, status, statusMetadata: null })).toEqual({ status: 200, body: { success: true } });
    }
    expect((await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe("FAILED");
    expect(await post("/api/runs/status/update", { runId, status: "RUNNING" })).toEqual({ status: 200, body: { success: true } });
    expect((await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe("FAILED");
  });

  it("logName/add is idempotent and groups names by their last '/'", async () => {
    const runId = await newRun();
    await post("/api/runs/logName/add", { runId, logName: ["a/b/c", "top"], logType: "METRIC" });
    await post("/api/runs/logName/add", { runId, logName: ["a/b/c", "img/x"], logType: "IMAGE" });
    const names = await app.prisma.runLogName.findMany({ where: { runId }, orderBy: { id: "asc" } });
    expect(names.map((n) => [n.name, n.logType, n.logGroup])).toEqual([["a/b/c", "METRIC", "a/b"], ["top", "METRIC", null], ["img/x", "IMAGE", "img"]]);
  });

  it("tags replace, config deep-merges, notes set and clear", async () => {
    const runId = await newRun({ tags: ["old"], config: { a: { b: 1 }, keep: true } });
    await post("/api/runs/tags/update", { runId, tags: ["new", "group:g"] });
    await post("/api/runs/config/update", { runId, config: JSON.stringify({ a: { c: 2 } }) });
    await post("/api/runs/notes/update", { runId, notes: "hello" });
    let run = await app.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect([run.tags, run.runGroup, run.config, run.notes]).toEqual([["new", "group:g"], "g", { a: { b: 1, c: 2 }, keep: true }, "hello"]);
    await post("/api/runs/notes/update", { runId, notes: "" });
    run = await app.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.notes).toBeNull();
  });

  it("details by id (with fork fields) and by display id (scoped by projectName)", async () => {
    const parent = await newRun({ config: { lr: 1 } });
    await logSteps(acme, parent, "loss", [0, 1, 2]);
    const fork = await forkRunOk(acme, { parentRunId: parent, step: 1 });
    const byId = await call("GET", `/api/runs/details/${fork.runId}?projectName=routes`);
    expect(byId).toMatchObject({ status: 200, body: { id: fork.runId, displayId: fork.displayId, status: "RUNNING", forkedFromRunId: parent, forkStep: 1, projectName: "routes", config: { lr: 1 }, logNames: [] } });
    const byDisplay = await call("GET", `/api/runs/details/by-display-id/${fork.displayId}?projectName=routes`);
    expect(byDisplay.body).toMatchObject({ id: fork.runId });
    expect(byDisplay.body.forkedFromRunId).toBeUndefined();
    expect(await call("GET", `/api/runs/details/by-display-id/not-an-id`)).toMatchObject({ status: 400 });
    expect(await call("GET", `/api/runs/details/abc`)).toMatchObject({ status: 400, body: { error: "Invalid run id" } });
    expect(await call("GET", `/api/runs/details/999999`)).toMatchObject({ status: 404, body: { error: "Run not found" } });
  });

  it("list: search, tags (any), status, sort, limit and offset; an unknown project is empty", async () => {
    for (const [name, tags] of [["alpha", ["x"]], ["beta", ["y"]], ["gamma", ["x", "z"]]] as const) await createRunOk(acme, { projectName: "listing", name, tags });
    const names = async (query: string) => {
      const r = await call("GET", `/api/runs/list?projectName=listing&${query}`);
      expect(r.status).toBe(200);
      return { names: r.body.runs.map((x: any) => x.name), total: r.body.total };
    };
    expect(await names("")).toEqual({ names: ["gamma", "beta", "alpha"], total: 3 });
    expect(await names("search=AMM")).toEqual({ names: ["gamma"], total: 1 });
    expect(await names("tags=x,q")).toEqual({ names: ["gamma", "alpha"], total: 2 });
    expect(await names("sort=name&limit=2")).toEqual({ names: ["alpha", "beta"], total: 3 });
    expect(await names("sort=-name&limit=1&offset=1")).toEqual({ names: ["beta"], total: 3 });
    expect(await names("status=RUNNING")).toMatchObject({ total: 3 });
    const first = (await call("GET", "/api/runs/list?projectName=listing&limit=1")).body.runs[0];
    expect(first).toEqual({ id: expect.any(Number), name: "gamma", number: 3, displayId: "LIS-3", projectName: "listing", status: "RUNNING", tags: ["x", "z"], createdAt: expect.any(String) });
    expect((await call("GET", "/api/runs/list?projectName=nowhere")).body).toEqual({ runs: [], total: 0 });
    expect(await call("GET", "/api/runs/list?projectName=listing&sort=size")).toMatchObject({ status: 400 });
    expect(await call("GET", "/api/runs/list?projectName=listing&status=DONE")).toMatchObject({ status: 400, body: { error: "Invalid status: DONE" } });
    expect(await call("GET", "/api/runs/list?projectName=listing&limit=201")).toMatchObject({ status: 400 });
  });

  it("list filter: the wandb/Mongo grammar as far as it maps onto run filters, metrics over effective histories", async () => {
    const made: Record<string, number> = {};
    for (const [name, tags, loss] of [["resnet-a", ["x"], 0.05], ["resnet-b", ["y"], 0.5], ["vit", ["x"], 0.01]] as const) {
      made[name] = (await createRunOk(acme, { projectName: "filtering", name, tags, initialState: "RUNNING" })).run.runId;
      await logSteps(acme, made[name]!, "loss", [0, 1], (s) => (s === 0 ? 1 : loss));
    }
    await post("/api/runs/status/update", { runId: made["resnet-b"], status: "FAILED" });
    const fork = await forkRunOk(acme, { parentRunId: made.vit!, step: 1, name: "vit-fork" }); // inherits loss 0.01
    const list = async (filter: unknown, extra = "") => {
      const r = await call("GET", `/api/runs/list?projectName=filtering&sort=name${extra}&filter=${encodeURIComponent(JSON.stringify(filter))}`);
      return r.status === 200 ? r.body.runs.map((x: any) => x.name) : r;
    };
    expect(await list({ status: "FAILED" })).toEqual(["resnet-b"]);
    expect(await list({ state: { $in: ["RUNNING"] } })).toEqual(["resnet-a", "vit", "vit-fork"]);
    expect(await list({ tags: { $in: ["y", "z"] } })).toEqual(["resnet-b"]);
    expect(await list({ name: { $regex: "resnet" } })).toEqual(["resnet-a", "resnet-b"]);
    expect(await list({ "summary_metrics.loss": { $lt: 0.1 } })).toEqual(["resnet-a", "vit", "vit-fork"]);
    expect(await list({ $and: [{ "summary_metrics.loss": { $lt: 0.1 } }, { tags: "x" }, { display_name: "vit" }] })).toEqual(["vit"]);
    expect(await list({ status: "FAILED" }, "&status=RUNNING")).toEqual([]);
    expect(await list({ createdAt: { $gte: "2000-01-01T00:00:00Z" } })).toHaveLength(4);
    expect(fork.runId).toBeGreaterThan(0);
    for (const [bad, message] of [
      [{ config: { lr: 1 } }, 'filter: unsupported key "config"'],
      [{ name: { $regex: "res.*" } }, "filter: name takes a plain substring"],
      [{ status: "DONE" }, "filter: unknown status"],
      [{ "summary_metrics.loss": { $lt: "low" } }, "filter: loss takes numbers"],
      [[1], "filter must be a JSON object"],
    ] as const) {
      expect(await list(bad)).toMatchObject({ status: 400, body: { error: expect.stringContaining(message) } });
    }
    expect(await call("GET", "/api/runs/list?projectName=filtering&filter=%7Bnope")).toMatchObject({ status: 400, body: { error: "filter is not valid JSON" } });
  });

  it("heartbeat writes heartbeatAt at most once per 30 s, and answers CANCELLED once a cancel is asked", async () => {
    const runId = await newRun();
    expect(await post("/api/runs/trigger", { runId })).toEqual({ status: 200, body: { status: "RUNNING", triggers: null } });
    const first = (await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).heartbeatAt;
    expect(first).not.toBeNull();
    await post("/api/runs/trigger", { runId });
    expect((await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).heartbeatAt).toEqual(first);
    // As if the last write were 31 s ago: the next beat writes again.
    await app.prisma.run.update({ where: { id: runId }, data: { heartbeatAt: new Date(Date.now() - 31_000) } });
    await post("/api/runs/trigger", { runId });
    expect((await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).heartbeatAt!.getTime()).toBeGreaterThan(Date.now() - 5_000);

    const cancel = await acme.gql(`mutation($r:Int!){ cancelRun(runId:$r){ __typename ... on UpdateRunStateSuccess { applied run { state } } } }`, { r: runId });
    expect(cancel.data.cancelRun).toMatchObject({ applied: true, run: { state: "CANCELING" } });
    expect((await post("/api/runs/trigger", { runId })).body).toEqual({ status: "CANCELLED", triggers: null });
    const events = await app.prisma.runStateEvent.findMany({ where: { runId }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.toState, e.source])).toEqual([["RUNNING", "API"], ["CANCELING", "API"], ["CANCELLED", "SYSTEM"]]);
    const again = await acme.gql(`mutation($r:Int!){ cancelRun(runId:$r){ __typename ... on Error { message } } }`, { r: runId });
    expect(again.data.cancelRun.__typename).toBe("InvalidTransitionError");
  });

  it("256 runs heartbeating every 4 s: one write per run, then none within 30 s (row versions unchanged)", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 256; i++) ids.push((await createRunOk(acme, { projectName: "beats" })).run.runId);
    const versions = () => app.prisma.$queryRaw<{ id: number; v: string; hb: Date | null }[]>`
      SELECT id, xmin::text AS v, heartbeat_at AS hb FROM runs WHERE id = ANY(${ids}::int[]) ORDER BY id`;
    const round = () => Promise.all(ids.map((runId) => post("/api/runs/trigger", { runId })));
    const before = await versions();
    await round();
    const afterFirst = await versions();
    expect(afterFirst.every((r, i) => r.v !== before[i]!.v && r.hb !== null)).toBe(true); // one write each
    for (let k = 0; k < 3; k++) await round(); // the next beats, well within 30 s
    expect(await versions()).toEqual(afterFirst); // no new row version: nothing written
  });

  it("alert is kept with the run", async () => {
    const runId = await newRun();
    const a = await post("/api/runs/alert", { runId, alert: { timestamp: 1732270000000, level: "WARN", title: "loss spike", body: "loss > 10", email: true, url: null } });
    expect(a).toEqual({ status: 200, body: { status: "success" } });
    const res = await acme.gql(`query($r:Int!){ run(runId:$r){ alerts { level title body email at } } }`, { r: runId });
    expect(res.data.run.alerts).toEqual([{ level: "WARN", title: "loss spike", body: "loss > 10", email: true, at: "2024-11-22T10:06:40.000Z" }]);
    expect(await post("/api/runs/alert", { runId, alert: { level: "", title: "t" } })).toMatchObject({ status: 400 });
  });

  it("data, files and model graphs answer a clear 501", async () => {
    for (const path of ["/ingest/data", "/files", "/api/runs/modelGraph/create"]) {
      expect(await post(path, {})).toMatchObject({ status: 501, body: { error: expect.stringContaining("Not implemented") } });
    }
  });
});

describe("GET /api/runs/metrics", () => {
  const get = (query: Record<string, string | number>, org: TestOrg = acme) => call("GET", `/api/runs/metrics?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, undefined, org);

  it("answers a run's points over its effective history, by name or group, thinned evenly to the limit", async () => {
    const parent = await newRun();
    await logSteps(acme, parent, "train/loss", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], (s) => 10 - s);
    await logSteps(acme, parent, "train/acc", [0, 1], (s) => (s === 0 ? "NaN" : 0.5));
    await logSteps(acme, parent, "lr", [0], () => 0.1);
    const fork = (await forkRunOk(acme, { parentRunId: parent, step: 4 })).runId as number;
    await logSteps(acme, fork, "train/loss", [5, 6], () => 0);

    const all = await get({ runId: parent, projectName: "routes" });
    expect(all.status).toBe(200);
    expect(all.body.metrics.map((m: any) => `${m.logName}@${m.step}`)).toEqual([
      "lr@0", "train/acc@0", "train/acc@1", ...Array.from({ length: 10 }, (_, s) => `train/loss@${s}`),
    ]);
    expect(all.body.metrics[1]).toMatchObject({ logName: "train/acc", logGroup: "train", step: 0, value: null });
    expect(all.body.metrics[0]).toMatchObject({ logName: "lr", logGroup: "", value: 0.1 });
    expect(new Date(all.body.metrics[0].time).getTime()).not.toBeNaN();

    // A fork's points: the parent's up to the fork step, then its own.
    const forked = await get({ runId: fork, projectName: "routes", logName: "train/loss" });
    expect(forked.body.metrics.map((m: any) => [m.step, m.value])).toEqual([[0, 10], [1, 9], [2, 8], [3, 7], [4, 6], [5, 0], [6, 0]]);

    const group = await get({ runId: parent, projectName: "routes", logGroup: "train", limit: 4 });
    // Two metrics share 4 points: every k-th step of each, from the first.
    expect(group.body.metrics.map((m: any) => `${m.logName}@${m.step}`)).toEqual(["train/acc@0", "train/acc@1", "train/loss@0", "train/loss@5"]);
  });

  it("is empty for a run outside the project or the organization, and 400 for a bad query", async () => {
    const runId = await newRun();
    await logSteps(acme, runId, "loss", [0, 1]);
    expect(await get({ runId, projectName: "elsewhere" })).toEqual({ status: 200, body: { metrics: [] } });
    expect(await get({ runId, projectName: "routes" }, other)).toEqual({ status: 200, body: { metrics: [] } });
    expect(await get({ runId: 2_000_000, projectName: "routes" })).toEqual({ status: 200, body: { metrics: [] } });
    expect((await get({ runId: "x", projectName: "routes" })).status).toBe(400);
    expect((await get({ runId, projectName: "routes", limit: 0 })).status).toBe(400);
    expect((await get({ runId })).status).toBe(400);
  });
});

describe("NDJSON ingest", () => {
  const ingest = (kind: "metrics" | "logs", runId: number | string, lines: string[], headers: Record<string, string> = {}) =>
    call("POST", `/ingest/${kind}`, lines.join("\n") + "\n", acme, { "content-type": "application/x-ndjson", "x-run-id": String(runId), "x-project-name": "routes", ...headers });

  it("a body with one bad line is rejected whole, naming the line", async () => {
    const runId = await newRun();
    const good = `{"time": 1, "step": 1, "data": {"a": 1}}`;
    for (const [bad, why] of [
      [`{"time": 1, "step": -1, "data": {"a": 1}}`, "step must be an integer ≥ 0"],
      [`{"time": 1, "step": 1, "data": {}}`, "data must be a non-empty object"],
      [`{"time": 1, "step": 1, "data": {"a": "x"}}`, '"a" is not a number'],
      [`{"time": 1, "step": 1, "data": {"": 1}}`, "a metric name is empty"],
      [`{"time": 1, "step": 1, "data": {"a": 1}, "extra": 2}`, 'unknown field "extra"'],
      [`{"time": 1, "step": 1.5, "data": {"a": 1}}`, "step must be an integer ≥ 0"],
      [`not json`, "not valid JSON"],
    ] as [string, string][]) {
      await rejects(() => ingest("metrics", runId, [good, good.replace('"step": 1', '"step": 2'), bad]), 422, {
        code: "PROCESSING_FAILED",
        message: `Failed to process metrics stream: line 3: ${why}`,
      }, runId);
    }
    await rejects(() => ingest("logs", runId, [`{"time": 1, "message": "m", "lineNumber": 1, "logType": ""}`]), 422, { message: "Failed to process logs stream: line 1: logType must be INFO or ERROR" }, runId);
  });

  it("needs X-Run-Id of a run of the key's organization and X-Project-Name", async () => {
    const runId = await newRun();
    const line = [`{"time": 1, "step": 1, "data": {"a": 1}}`];
    expect((await ingest("metrics", "None", line)).body.message).toBe("Failed to process metrics stream: X-Run-Id must be a run id");
    expect((await ingest("metrics", runId, line, { "x-project-name": "" })).body.message).toBe("Failed to process metrics stream: X-Project-Name is required");
    const theirs = (await createRunOk(other, { projectName: "routes" })).run.runId;
    await rejects(() => ingest("metrics", theirs, line), 422, { message: "Failed to process metrics stream: Run not found" });
  });

  it("keeps the time of each point and reads bare non-finite numbers", async () => {
    const runId = await newRun();
    const r = await ingest("metrics", runId, [`{"time": 1732270000123, "step": 5, "data": {"x": -Infinity, "y": NaN}}`]);
    expect(r).toEqual({ status: 200, body: "Stream processed successfully: 2 records" });
    const points = await app.prisma.$queryRaw<{ name: string; value: string; time: Date }[]>`
      SELECT m.name, p.value::text AS value, p.time FROM metric_points p JOIN metrics m ON m.id = p.metric_id WHERE m.run_id = ${runId} ORDER BY m.name`;
    expect(points.map((p) => [p.name, p.value, new Date(p.time).toISOString()])).toEqual([
      ["x", "-Infinity", "2024-11-22T10:06:40.123Z"],
      ["y", "NaN", "2024-11-22T10:06:40.123Z"],
    ]);
  });
});

describe("GET /api/openapi.json", () => {
  it("describes every route the gateway serves, from the schemas the handlers validate with", async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as any;
    const paths = Object.keys(doc.paths);
    for (const p of ["/api/slug", "/api/runs/resume", "/api/runs/status/update", "/api/runs/logName/add", "/api/runs/tags/update", "/api/runs/config/update",
      "/api/runs/notes/update", "/api/runs/details/{id}", "/api/runs/details/by-display-id/{displayId}", "/api/runs/list", "/api/runs/trigger",
      "/api/runs/alert", "/ingest/metrics", "/ingest/logs", "/ingest/data", "/files", "/api/runs/modelGraph/create", "/api/runs/create"]) {
      expect(paths).toContain(p);
    }
    // Each documented lifecycle route answers (not 404 from an unknown path).
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      const method = Object.keys(ops)[0]!.toUpperCase() as "GET" | "POST";
      const res = await call(method, path.replace(/\{[^}]+\}/g, "1"), method === "POST" ? {} : undefined, null);
      expect([401, 422], `${method} ${path}`).toContain(res.status);
    }
    const status = doc.paths["/api/runs/status/update"].post;
    expect(status.requestBody.content["application/json"].schema.properties.status.enum).toEqual(["RUNNING", "COMPLETED", "FAILED", "TERMINATED", "CANCELLED"]);
    expect(Object.keys(doc.paths["/api/runs/trigger"].post.responses).sort()).toEqual(["200", "400", "401", "404", "429", "500", "503"]);
    expect(doc.paths["/ingest/metrics"].post.responses["422"]).toBeDefined();
    expect(doc.paths["/api/runs/list"].get.parameters.find((p: any) => p.name === "limit").schema.maximum).toBe(200);
  });
});
