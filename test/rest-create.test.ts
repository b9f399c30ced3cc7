import { beforeAll, describe, expect, it } from "vitest";
import Sqids from "sqids";
import { createApiKey } from "../src/domain/api-keys.js";
import { listen, restClient, type RestAnswer } from "./helpers/http.js";
import { logSteps, range } from "./helpers/runs.js";
import { PUBLIC_URL, createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// One test per row of rest-contract.md, through the real HTTP server.

let app: TestApp;
let acme: TestOrg;
let base: string;
let post: ReturnType<typeof restClient>;
const create = (body: Record<string, unknown>, org: TestOrg = acme) =>
  post("/api/runs/create", body, { authorization: `Bearer ${org.key}` });

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  base = await listen(app.yoga);
  post = restClient(base);
});

/** Asserts the answer and that nothing at all was written. */
async function rejects(send: () => Promise<RestAnswer>, status: number, body: object) {
  const before = await app.counts();
  const answer = await send();
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject(body);
  expect(typeof answer.body.error).toBe("string");
  expect(await app.counts()).toEqual(before);
  return answer;
}

describe("1. authentication → 401", () => {
  it("five bodies: missing, malformed, unknown, expired, revoked", async () => {
    const expired = await createApiKey(app.prisma, acme.id, { name: "old", expiresAt: new Date(Date.now() - 1) });
    const revoked = await createApiKey(app.prisma, acme.id, { name: "gone" });
    await app.prisma.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const body = { runName: "r", projectName: "p" };
    const cases: [Record<string, string>, object][] = [
      [{}, { error: "Unauthorized" }],
      [{ authorization: "Bearer " }, { error: "Unauthorized" }],
      [{ authorization: "Bearer sk_live_123" }, { error: "Unauthorized", message: "Invalid API key" }],
      [{ authorization: `Bearer mlps_${"Z".repeat(40)}` }, { error: "Unauthorized", message: "Key not found" }],
      [{ authorization: `Bearer ${expired.key}` }, { error: "Unauthorized", message: "API key has expired" }],
      [{ authorization: `Bearer ${revoked.key}` }, { error: "Unauthorized", message: "API key has been revoked" }],
    ];
    for (const [headers, expected] of cases) {
      const answer = await rejects(() => post("/api/runs/create", body, headers), 401, expected);
      expect(answer.body).toEqual(expected);
    }
  });

  it("authentication comes before the body", async () => {
    await rejects(() => post("/api/runs/create", "not json"), 401, { error: "Unauthorized" });
  });
});

describe("2. body shape → 400 naming the field", () => {
  it.each([
    ["not JSON at all", "{oops", /JSON/],
    ["a JSON array", [1, 2], /body/],
    ["missing runName", { projectName: "p" }, /runName/],
    ["missing projectName", { runName: "r" }, /projectName/],
    ["runName not a string", { runName: 5, projectName: "p" }, /runName/],
    ["runName over 255", { runName: "r".repeat(256), projectName: "p" }, /runName/],
    ["empty externalId", { runName: "r", projectName: "p", externalId: "" }, /externalId/],
    ["51 tags", { runName: "r", projectName: "p", tags: range(1, 51).map(String) }, /tags/],
    ["tags not a list", { runName: "r", projectName: "p", tags: "a,b" }, /tags/],
    ["config not a string", { runName: "r", projectName: "p", config: { lr: 1 } }, /config/],
    ["createdAt not an integer", { runName: "r", projectName: "p", createdAt: 1.5 }, /createdAt/],
    ["createdAt negative", { runName: "r", projectName: "p", createdAt: -1 }, /createdAt/],
    ["createdAt beyond 8.64e15", { runName: "r", projectName: "p", createdAt: 8.64e15 + 1 }, /createdAt/],
    // Within the contract's range, but past what the database stores (year 9999).
    ["createdAt at 8.64e15", { runName: "r", projectName: "p", createdAt: 8.64e15 }, /createdAt must fall between the years 1 and 9999/],
    ["forkRunId a string", { runName: "r", projectName: "p", forkRunId: "1" }, /forkRunId/],
    ["inheritConfig not a boolean", { runName: "r", projectName: "p", inheritConfig: "yes" }, /inheritConfig/],
  ])("%s", async (_label, body, field) => {
    const answer = await rejects(() => create(body as Record<string, unknown>), 400, {});
    expect(answer.body.error).toMatch(field);
  });
});

describe("3. group tags and JSON strings → 400", () => {
  it("two group: tags", async () => {
    const a = await rejects(() => create({ runName: "r", projectName: "p", tags: ["group:a", "group:b"], config: "{bad" }), 400, {});
    expect(a.body).toEqual({ error: "A run can have at most one group:* tag." });
  });

  it("a JSON string that does not parse, on create and on the resume path", async () => {
    for (const field of ["config", "systemMetadata", "loggerSettings"]) {
      const a = await rejects(() => create({ runName: "r", projectName: "p", [field]: "{not json" }), 400, {});
      expect(a.body).toEqual({ error: "Invalid JSON format in request body" });
    }
    expect((await create({ runName: "r", projectName: "json-resume", externalId: "x" })).status).toBe(200);
    const resume = await rejects(() => create({ runName: "r", projectName: "json-resume", externalId: "x", config: "nope" }), 400, {});
    expect(resume.body).toEqual({ error: "Invalid JSON format in request body" });
  });
});

describe("4–8. project, resume, fork, limit, insert → 200", () => {
  it("creates the project and the run: numbers as JSON numbers, url with sqids, projectName echoed", async () => {
    const a = await create({ runName: "first", projectName: "my-ml-project", tags: null, config: '{"lr": 0.1}' });
    expect(a.status).toBe(200);
    const sqids = new Sqids({ alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", minLength: 5 });
    expect(a.body).toEqual({
      runId: expect.any(Number),
      number: 1,
      displayId: "MMP-1",
      projectName: "my-ml-project",
      organizationSlug: "acme",
      url: `${PUBLIC_URL}/o/acme/projects/my-ml-project/${sqids.encode([a.body.runId])}`,
      resumed: false,
      forkedFromRunId: null,
      forkStep: null,
    });
    const run = await app.prisma.run.findUniqueOrThrow({ where: { id: a.body.runId }, include: { stateEvents: true } });
    expect(run.state).toBe("RUNNING");
    expect(run.config).toEqual({ lr: 0.1 });
    expect(run.stateEvents.map((e) => [e.fromState, e.toState])).toEqual([[null, "RUNNING"]]);
  });

  it("backfills createdAt and updatedAt from epoch ms; the string \"null\" means null", async () => {
    const a = await create({ runName: "old", projectName: "backfill", createdAt: 1_600_000_000_000, updatedAt: 1_600_000_001_000, config: "null" });
    const run = await app.prisma.run.findUniqueOrThrow({ where: { id: a.body.runId } });
    expect(run.createdAt.getTime()).toBe(1_600_000_000_000);
    expect(run.updatedAt.getTime()).toBe(1_600_000_001_000);
    expect(run.config).toBeNull();
  });

  it("resume: same run, resumed true, fork fields null, config merged, no number used", async () => {
    const first = await create({ runName: "job", projectName: "resume", externalId: "job-1", config: '{"a": {"x": 1}}' });
    const again = await create({ runName: "ignored", projectName: "resume", externalId: "job-1", config: '{"a": {"y": 2}}', forkRunId: 999 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ runId: first.body.runId, number: 1, resumed: true, forkedFromRunId: null, forkStep: null });
    const run = await app.prisma.run.findUniqueOrThrow({ where: { id: first.body.runId } });
    expect(run).toMatchObject({ name: "job", config: { a: { x: 1, y: 2 } } });
    expect((await create({ runName: "next", projectName: "resume" })).body.number).toBe(2);
  });

  it("resume of a fork answers forkedFromRunId and forkStep null", async () => {
    const parent = await create({ runName: "p", projectName: "fork-resume" });
    const fork = await create({ runName: "f", projectName: "fork-resume", externalId: "f", forkRunId: parent.body.runId, forkStep: 0 });
    expect(fork.body).toMatchObject({ forkedFromRunId: parent.body.runId, forkStep: 0 });
    const resumed = await create({ runName: "f", projectName: "fork-resume", externalId: "f", forkRunId: parent.body.runId, forkStep: 0 });
    expect(resumed.body).toMatchObject({ runId: fork.body.runId, resumed: true, forkedFromRunId: null, forkStep: null });
  });

  it("fork: errors in Pluto's words, and resolution to the ancestor that owns the step", async () => {
    const root = await create({ runName: "root", projectName: "forks", config: '{"lr": 1, "bs": 8}', tags: ["base"] });
    await logSteps(acme, root.body.runId, "loss", range(0, 100));
    const a = await create({ runName: "a", projectName: "forks", forkRunId: root.body.runId, forkStep: 50, config: '{"lr": 2}', tags: ["mine"] });
    expect(a.body).toMatchObject({ forkedFromRunId: root.body.runId, forkStep: 50 });
    const aRun = await app.prisma.run.findUniqueOrThrow({ where: { id: a.body.runId } });
    expect(aRun.config).toEqual({ lr: 2, bs: 8 }); // inheritConfig defaults to true
    expect(aRun.tags).toEqual(["mine"]); // inheritTags defaults to false

    const viaA = await create({ runName: "b", projectName: "forks", forkRunId: a.body.runId, forkStep: 20 });
    expect(viaA.body).toMatchObject({ forkedFromRunId: root.body.runId, forkStep: 20 });

    const noStep = await rejects(() => create({ runName: "x", projectName: "forks", forkRunId: root.body.runId }), 400, {});
    expect(noStep.body).toEqual({ error: "forkStep is required when forkRunId is provided" });
    const tooFar = await rejects(() => create({ runName: "x", projectName: "forks", forkRunId: root.body.runId, forkStep: 101 }), 400, {});
    expect(tooFar.body).toEqual({ error: "forkStep (101) exceeds the parent run's max step (100)" });
    const elsewhere = await rejects(() => create({ runName: "x", projectName: "not-forks", forkRunId: root.body.runId, forkStep: 1 }), 400, {});
    expect(elsewhere.body).toEqual({ error: "Fork parent run not found in this project" });
    const other = await app.org("other");
    const foreign = await rejects(() => create({ runName: "x", projectName: "forks", forkRunId: root.body.runId, forkStep: 1 }, other), 400, {});
    expect(foreign.body).toEqual({ error: "Fork parent run not found in this project" });

    const zero = await create({ runName: "nofork", projectName: "forks", forkRunId: 0, forkStep: 5 });
    expect(zero.body).toMatchObject({ forkedFromRunId: null, forkStep: null });
  });

  it("the organization run limit, new runs only", async () => {
    const small = await app.org("small", { runLimit: 1 });
    expect((await create({ runName: "a", projectName: "p", externalId: "e" }, small)).status).toBe(200);
    const refused = await rejects(() => create({ runName: "b", projectName: "q" }, small), 400, {});
    expect(refused.body).toEqual({ error: "Organization is at limit" });
    expect((await create({ runName: "a", projectName: "p", externalId: "e" }, small)).body.resumed).toBe(true);
  });
});

describe("9. concurrency", () => {
  it("64 concurrent creates with one externalId: all 200, one run, one resumed:false", async () => {
    const answers = await Promise.all(range(1, 64).map(() => create({ runName: "rank", projectName: "ranks", externalId: "job" })));
    expect(answers.map((a) => a.status)).toEqual(Array(64).fill(200));
    expect(new Set(answers.map((a) => a.body.runId)).size).toBe(1);
    expect(answers.filter((a) => a.body.resumed === false)).toHaveLength(1);
    expect(await app.prisma.run.count({ where: { externalId: "job" } })).toBe(1);
  });

  it("256 concurrent creates with one externalId, a new one each round: one run, no error", async () => {
    for (const job of ["big-a", "big-b"]) {
      const answers = await Promise.all(range(1, 256).map(() => create({ runName: "rank", projectName: "ranks-256", externalId: job })));
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      expect(new Set(answers.map((a) => a.body.runId)).size).toBe(1);
      expect(answers.filter((a) => a.body.resumed === false)).toHaveLength(1);
      expect(await app.prisma.run.count({ where: { externalId: job } })).toBe(1);
    }
  });
});

describe("the Python SDK", () => {
  it("sends what pluto-ml sends and reads the answer the way it does", async () => {
    const now = Date.now();
    const res = await fetch(`${base}/api/runs/create`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${acme.key}`,
        "Content-Type": "application/json",
        "User-Agent": "pluto-ml/0.1.0 python-httpx/0.27",
        "X-Run-Id": "None",
        "X-Run-Name": "sdk-run",
        "X-Project-Name": "sdk-project",
      },
      body: JSON.stringify({
        runName: "sdk-run",
        projectName: "sdk-project",
        externalId: null,
        tags: null,
        loggerSettings: JSON.stringify({ x_log_level: 20, disable_console: false }),
        systemMetadata: JSON.stringify({ hostname: "gpu-0", pid: 1234, python: "3.11.7" }),
        config: JSON.stringify({ lr: 0.001, epochs: 10, nested: { opt: "adam" } }),
        createdAt: now,
        updatedAt: now,
      }),
    });
    // pluto-ml treats 200 and 201 as success and requires runId and url.
    expect([200, 201]).toContain(res.status);
    const data = (await res.json()) as Record<string, unknown>;
    expect(typeof data.runId).toBe("number");
    expect(typeof data.url).toBe("string");
    expect(data).toMatchObject({ projectName: "sdk-project", displayId: "SPR-1", resumed: false });
    const run = await app.prisma.run.findUniqueOrThrow({ where: { id: data.runId as number } });
    expect(run).toMatchObject({ name: "sdk-run", tags: [], config: { lr: 0.001, epochs: 10, nested: { opt: "adam" } } });
    expect(run.systemMetadata).toEqual({ hostname: "gpu-0", pid: 1234, python: "3.11.7" });
    expect(run.createdAt.getTime()).toBe(now);
  });
});

describe("other paths", () => {
  it("GET on the create route is 405; the OpenAPI document describes the endpoint", async () => {
    const get = await fetch(`${base}/api/runs/create`);
    expect(get.status).toBe(405);
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    const op = doc.paths["/api/runs/create"].post;
    expect(Object.keys(op.responses).sort()).toEqual(["200", "400", "401", "429", "500", "503"]);
    const req = doc.components.schemas.CreateRunRequest;
    expect(req.required.sort()).toEqual(["projectName", "runName"]);
    expect(req.properties.tags.maxItems).toBe(50);
    expect(req.properties.createdAt.maximum).toBe(8.64e15);
  });

  it("an unexpected failure answers 500 with nothing internal in it", async () => {
    const broken = await createTestApp();
    const org = await broken.org("b");
    const url = await listen(broken.yoga);
    await broken.db.close(); // the database goes away under the running server
    const answer = await restClient(url)("/api/runs/create", { runName: "r", projectName: "p" }, { authorization: `Bearer ${org.key}` });
    expect(answer).toEqual({ status: 500, body: { error: "Internal Server Error" } });
  });
});
