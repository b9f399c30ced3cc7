import { beforeAll, describe, expect, it } from "vitest";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
});

const setState = (runId: number, state: string, extra: Record<string, unknown> = {}) =>
  acme.gql(UPDATE_STATE, { input: { runId, state, ...extra } }).then((r) => {
    expect(r.errors).toBeUndefined();
    return r.data.updateRunState;
  });

describe("updateRunState", () => {
  it("records each change; repeating the current state records nothing (eight ranks, one event)", async () => {
    const { run } = await createRunOk(acme, { projectName: "s", initialState: "PENDING" });
    expect((await setState(run.runId, "RUNNING")).applied).toBe(true);
    const repeats = await Promise.all(Array.from({ length: 8 }, () => setState(run.runId, "COMPLETED")));
    expect(repeats.filter((r) => r.applied)).toHaveLength(1);
    const last = await setState(run.runId, "COMPLETED");
    expect(last.applied).toBe(false);
    expect(last.run.stateHistory.nodes.map((e: any) => [e.fromState, e.toState])).toEqual([
      [null, "PENDING"],
      ["PENDING", "RUNNING"],
      ["RUNNING", "COMPLETED"],
    ]);
    expect(last.run.startedAt).not.toBeNull();
    expect(last.run.finishedAt).not.toBeNull();
  });

  it("a more severe final report wins; a less severe one is ignored but answered as success", async () => {
    const { run } = await createRunOk(acme, { projectName: "s" });
    await setState(run.runId, "COMPLETED");
    const failed = await setState(run.runId, "FAILED", { error: { code: "OOM", message: "out of memory", details: { gpu: 3 } } });
    expect(failed).toMatchObject({ __typename: "UpdateRunStateSuccess", applied: true, run: { state: "FAILED", error: { code: "OOM", message: "out of memory" } } });
    const stale = await setState(run.runId, "COMPLETED");
    expect(stale).toMatchObject({ __typename: "UpdateRunStateSuccess", applied: false, run: { state: "FAILED" } });
    expect(stale.run.stateHistory.nodes.at(-1)).toMatchObject({ toState: "FAILED", error: { message: "out of memory" } });
  });

  it("a finished run does not go back to RUNNING without resume or force", async () => {
    const { run } = await createRunOk(acme, { projectName: "s" });
    await setState(run.runId, "CANCELLED");
    const refused = await setState(run.runId, "RUNNING");
    expect(refused).toMatchObject({ __typename: "InvalidTransitionError", fromState: "CANCELLED", toState: "RUNNING" });
    const forced = await setState(run.runId, "RUNNING", { force: true });
    expect(forced).toMatchObject({ applied: true, run: { state: "RUNNING" } });
    expect(forced.run.stateHistory.nodes.at(-1).source).toBe("OPERATOR");
  });

  it("CANCELING ends only in COMPLETED, FAILED or CANCELLED", async () => {
    const { run } = await createRunOk(acme, { projectName: "s" });
    await setState(run.runId, "CANCELING");
    expect((await setState(run.runId, "PAUSED")).__typename).toBe("InvalidTransitionError");
    expect((await setState(run.runId, "CANCELLED")).applied).toBe(true);
  });

  it("an unknown run, and an error without a message", async () => {
    expect((await setState(999_999, "RUNNING")).__typename).toBe("NotFoundError");
    const { run } = await createRunOk(acme, { projectName: "s" });
    const before = await app.counts();
    expect((await setState(run.runId, "FAILED", { error: { message: "" } })).__typename).toBe("ValidationError");
    expect(await app.counts()).toEqual(before);
  });
});

describe("updateRun, archive", () => {
  it("sets descriptive fields and tags, clears JSON with null, and validates", async () => {
    const { run } = await createRunOk(acme, { projectName: "u", config: { a: 1 } });
    const res = await acme.gql(
      `mutation($i: UpdateRunInput!) { updateRun(input: $i) { __typename ... on UpdateRunSuccess { run { name notes tags runGroup config result } } ... on Error { message } } }`,
      { i: { runId: run.runId, name: "renamed", notes: "hello", tags: ["group:g", "x"], config: null, result: { score: 0.9 } } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.updateRun).toEqual({ __typename: "UpdateRunSuccess", run: { name: "renamed", notes: "hello", tags: ["group:g", "x"], runGroup: "g", config: null, result: { score: 0.9 } } });
    const bad = await acme.gql(`mutation($i: UpdateRunInput!) { updateRun(input: $i) { __typename } }`, { i: { runId: run.runId, name: "" } });
    expect(bad.data.updateRun.__typename).toBe("ValidationError");
  });

  it("archived runs leave lists unless asked for, and come back", async () => {
    const { run } = await createRunOk(acme, { projectName: "arch" });
    const list = (filter: object) => acme.gql(`query($f: RunFilter){ runs(projectName: "arch", filter: $f) { totalCount nodes { runId storageState } } }`, { f: filter });
    await acme.gql(`mutation($id:Int!){ archiveRun(runId:$id){ __typename } }`, { id: run.runId });
    expect((await list({})).data.runs.totalCount).toBe(0);
    expect((await list({ archived: true })).data.runs.nodes).toEqual([{ runId: run.runId, storageState: "ARCHIVED" }]);
    expect((await list({ includeArchived: true })).data.runs.totalCount).toBe(1);
    await acme.gql(`mutation($id:Int!){ unarchiveRun(runId:$id){ __typename } }`, { id: run.runId });
    expect((await list({})).data.runs.totalCount).toBe(1);
  });
});
