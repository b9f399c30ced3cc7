import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { deepMergeChanges } from "../src/domain/json-merge.js";
import { runSqid } from "../src/domain/run-url.js";
import { CREATE_RUN, UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk } from "./helpers/runs.js";
import { PUBLIC_URL, createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
});

describe("createRun", () => {
  it("creates the project on first use, numbers runs from 1 and builds display id and url", async () => {
    const a = await createRunOk(acme, { projectName: "my-ml-project", name: "first", tags: ["x", "group:sweep"], config: { lr: 0.1 } });
    const b = await createRunOk(acme, { projectName: "my-ml-project", name: "second" });
    expect(a.resumed).toBe(false);
    expect([a.run.number, b.run.number]).toEqual([1, 2]);
    expect([a.run.displayId, b.run.displayId]).toEqual(["MMP-1", "MMP-2"]);
    expect(a.run.url).toBe(`${PUBLIC_URL}/o/acme/projects/my-ml-project/${runSqid(a.run.runId)}`);
    expect(a.run).toMatchObject({ state: "RUNNING", runGroup: "sweep", tags: ["x", "group:sweep"], config: { lr: 0.1 }, forkDepth: 0 });
    expect(a.run.startedAt).toBe(a.run.createdAt);
    const project = await acme.gql(`{ project(name: "my-ml-project") { runPrefix runCount runs { totalCount } } }`);
    expect(project.data.project).toEqual({ runPrefix: "MMP", runCount: 2, runs: { totalCount: 2 } });
  });

  it("stores every descriptive field of the three source models and backfilled times", async () => {
    const input = {
      projectName: "kfp",
      name: "pipeline run",
      notes: "n",
      runGroup: "g1",
      systemMetadata: { host: "h" },
      loggerSettings: { level: "info" },
      inputData: [1, 2],
      result: { ok: true },
      runtimeConfig: { parameters: { a: "1" }, pipelineRoot: "s3://x" },
      pipelineSpec: { steps: [] },
      pipelineId: "p",
      pipelineVersionId: "policy-7",
      serviceAccount: "sa",
      createdAt: "2020-01-02T03:04:05.000Z",
      initialState: "PENDING",
    };
    const { run } = await createRunOk(acme, input);
    const res = await acme.gql(
      `query($id: Int!) { run(runId: $id) { notes runGroup systemMetadata loggerSettings inputData result runtimeConfig pipelineSpec
         pipelineId pipelineVersionId serviceAccount createdAt updatedAt scheduledAt startedAt state stateUpdatedAt } }`,
      { id: run.runId },
    );
    const { createdAt, initialState, projectName, name, ...fields } = input;
    expect(res.data.run).toMatchObject({ ...fields, createdAt, updatedAt: createdAt, scheduledAt: createdAt, stateUpdatedAt: createdAt, startedAt: null, state: "PENDING" });
  });

  it("resumes by externalId: same run, no new number, config deep-merged, name and tags ignored", async () => {
    const first = await createRunOk(acme, { projectName: "resume", name: "job", externalId: "job-1", tags: ["a"], config: { opt: { lr: 1, wd: 2 } } });
    const again = await createRunOk(acme, { projectName: "resume", name: "other", externalId: "job-1", tags: ["b"], config: { opt: { lr: 3 }, extra: true } });
    expect(again.resumed).toBe(true);
    expect(again.run.runId).toBe(first.run.runId);
    expect(again.run).toMatchObject({ number: 1, name: "job", tags: ["a"], config: { opt: { lr: 3, wd: 2 }, extra: true } });
    const next = await createRunOk(acme, { projectName: "resume", name: "new" });
    expect(next.run.number).toBe(2);
  });

  it("a resume whose config changes nothing writes nothing; one that changes a key writes it", async () => {
    const { run } = await createRunOk(acme, { projectName: "resume-noop", name: "job", externalId: "ranks", config: { lr: 1, opt: { b: 2 } } });
    const updatedAt = async () => (await app.prisma.run.findUniqueOrThrow({ where: { id: run.runId } })).updatedAt.getTime();
    const before = await updatedAt();
    await new Promise((r) => setTimeout(r, 5));
    for (const config of [{ lr: 1 }, { opt: { b: 2 } }, { lr: 1, opt: { b: 2 } }]) {
      const again = await createRunOk(acme, { projectName: "resume-noop", name: "job", externalId: "ranks", config });
      expect(again).toMatchObject({ resumed: true, run: { runId: run.runId, config: { lr: 1, opt: { b: 2 } } } });
    }
    expect(await updatedAt()).toBe(before);
    const changed = await createRunOk(acme, { projectName: "resume-noop", name: "job", externalId: "ranks", config: { opt: { c: 3 } } });
    expect(changed.run.config).toEqual({ lr: 1, opt: { b: 2, c: 3 } });
    expect(await updatedAt()).toBeGreaterThan(before);
  });

  it("resuming a finished run moves it back to RUNNING with a RESUME event", async () => {
    const { run } = await createRunOk(acme, { projectName: "resume2", name: "job", externalId: "ext", config: { a: { x: 1 } } });
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "FAILED", error: { message: "oom" } } });
    const again = await createRunOk(acme, { projectName: "resume2", name: "job", externalId: "ext", config: { a: { y: 2 } } });
    expect(again.run.state).toBe("RUNNING");
    expect(again.run.config).toEqual({ a: { x: 1, y: 2 } });
    const h = await acme.gql(`query($id:Int!){ run(runId:$id){ stateHistory { nodes { fromState toState source } } } }`, { id: run.runId });
    expect(h.data.run.stateHistory.nodes).toEqual([
      { fromState: null, toState: "RUNNING", source: "API" },
      { fromState: "RUNNING", toState: "FAILED", source: "API" },
      { fromState: "FAILED", toState: "RUNNING", source: "RESUME" },
    ]);
  });

  it("externalId is scoped to the project", async () => {
    const a = await createRunOk(acme, { projectName: "p1", externalId: "same" });
    const b = await createRunOk(acme, { projectName: "p2", externalId: "same" });
    expect(b.resumed).toBe(false);
    expect(b.run.runId).not.toBe(a.run.runId);
  });
});

describe("organization run limit", () => {
  it("refuses a new run at the limit but still resumes", async () => {
    const small = await app.org("small", { runLimit: 2 });
    await createRunOk(small, { projectName: "p", externalId: "e1" });
    await createRunOk(small, { projectName: "q" });
    const before = await app.counts();
    const res = await small.gql(CREATE_RUN, { input: { projectName: "new-project", name: "x" } });
    expect(res.data.createRun).toMatchObject({ __typename: "LimitExceededError", message: "Organization is at limit" });
    expect(await app.counts()).toEqual(before);
    const resumed = await createRunOk(small, { projectName: "p", externalId: "e1" });
    expect(resumed.resumed).toBe(true);
  });
});

describe("bad input is refused whole, naming the field, and writes nothing", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["empty name", { name: "" }, ["input", "name"]],
    ["blank name", { name: "   " }, ["input", "name"]],
    ["name over 255", { name: "x".repeat(256) }, ["input", "name"]],
    ["empty project name", { projectName: "" }, ["input", "projectName"]],
    ["project name over 255", { projectName: "p".repeat(256) }, ["input", "projectName"]],
    ["empty externalId", { externalId: "" }, ["input", "externalId"]],
    ["51 tags", { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, ["input", "tags"]],
    ["two group tags", { tags: ["group:a", "group:b"] }, ["input", "tags"]],
    ["empty tag", { tags: ["ok", ""] }, ["input", "tags", "1"]],
    ["notes over 1000", { notes: "n".repeat(1001) }, ["input", "notes"]],
    ["runGroup disagreeing with the group tag", { tags: ["group:a"], runGroup: "b" }, ["input", "runGroup"]],
    ["negative fork step", { fork: { parentRunId: 1, step: -1 } }, ["input", "fork", "step"]],
    ["NUL in the name", { name: "a\u0000b" }, ["input", "name"]],
    ["NUL in a tag", { tags: ["a\u0000"] }, ["input", "tags", "0"]],
    ["\\u0000 inside config", { config: { k: "a\u0000" } }, ["input", "config"]],
    ["\\u0000 inside result", { result: ["\u0000"] }, ["input", "result"]],
  ];
  it.each(cases)("%s", async (_label, patch, path) => {
    const before = await app.counts();
    const res = await acme.gql(CREATE_RUN, { input: { projectName: "fresh-project", name: "n", ...patch } });
    expect(res.errors).toBeUndefined();
    expect(res.data.createRun.__typename).toBe("ValidationError");
    expect(res.data.createRun.fields.map((f: { path: string[] }) => f.path)).toContainEqual(path);
    expect(await app.counts()).toEqual(before);
  });

  it("two group tags answer Pluto's message", async () => {
    const res = await acme.gql(CREATE_RUN, { input: { projectName: "x", name: "n", tags: ["group:a", "group:b"] } });
    expect(res.data.createRun.message).toBe("A run can have at most one group:* tag.");
  });

  it("reports every invalid field at once", async () => {
    const res = await acme.gql(CREATE_RUN, { input: { projectName: "", name: "", tags: ["group:a", "group:b"] } });
    expect(res.data.createRun.fields.length).toBe(3);
  });

  it("malformed JSON scalars are refused before anything runs, naming the field", async () => {
    const before = await app.counts();
    const res = await acme.gql(CREATE_RUN, { input: { projectName: "p", name: "n", config: [1, 2] } });
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/input\.config/);
    expect(res.errors?.[0]?.message).toMatch(/JSONObject/);
    expect(await app.counts()).toEqual(before);
  });
});

describe("jsonb_deep_merge (resume's config rule, in SQL)", () => {
  it.each([
    [{ a: 1, nested: { x: 1, y: 2 } }, { nested: { x: 9 }, b: 2 }, { a: 1, nested: { x: 9, y: 2 }, b: 2 }],
    [null, { a: 1 }, { a: 1 }],
    [{ a: { deep: { k: 1 } } }, { a: { deep: { j: 2 } } }, { a: { deep: { k: 1, j: 2 } } }],
    [{ a: { x: 1 } }, { a: [1, 2] }, { a: [1, 2] }],
    [{ a: [1] }, { a: { x: 1 } }, { a: { x: 1 } }],
    [{}, {}, {}],
    [[1, 2], { a: 1 }, { a: 1 }],
  ])("%j + %j = %j", async (base, patch, expected) => {
    const [row] = await app.prisma.$queryRawUnsafe<{ merged: unknown }[]>(
      `SELECT jsonb_deep_merge($1::jsonb, $2::jsonb) AS merged`,
      base === null ? null : JSON.stringify(base),
      JSON.stringify(patch),
    );
    expect(row!.merged).toEqual(expected);
  });

  it("changes the stored config exactly when deepMergeChanges says so (what resume's fast path decides on)", async () => {
    // Small alphabets so that bases and patches share keys and values often.
    const leaf = fc.oneof(fc.constantFrom(0, 1, 1.5, "a", "b", true, null), fc.constant([1]), fc.constant([1, 2]));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, tie("object")),
      object: fc.dictionary(fc.constantFrom("a", "b", "c"), tie("node"), { maxKeys: 3 }),
    }));
    await fc.assert(
      fc.asyncProperty(fc.option(value.object, { nil: null }), value.object, async (base, patch) => {
        const [row] = await app.prisma.$queryRawUnsafe<{ changed: boolean }[]>(
          `SELECT jsonb_deep_merge($1::jsonb, $2::jsonb) IS DISTINCT FROM $1::jsonb AS changed`,
          base === null ? null : JSON.stringify(base),
          JSON.stringify(patch),
        );
        expect(row!.changed).toBe(deepMergeChanges(base, patch));
      }),
      { numRuns: 200 },
    );
  });
});
