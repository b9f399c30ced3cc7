import { beforeAll, describe, expect, it } from "vitest";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, forkRunOk } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
const ids: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  for (const [name, tags, createdAt] of [
    ["alpha", ["a", "group:g1"], "2024-01-01T00:00:00Z"],
    ["beta", ["b"], "2024-02-01T00:00:00Z"],
    ["gamma", ["a", "c"], "2024-03-01T00:00:00Z"],
  ] as const) {
    ids[name] = (await createRunOk(acme, { projectName: "q", name, tags, createdAt, externalId: `ext-${name}` })).run.runId;
  }
  await acme.gql(UPDATE_STATE, { input: { runId: ids.beta, state: "COMPLETED" } });
  ids.fork = (await forkRunOk(acme, { parentRunId: ids.alpha!, step: 0, name: "alpha-fork" })).runId;
});

const names = async (args: string) => {
  const res = await acme.gql(`{ runs(projectName: "q", ${args}) { totalCount nodes { name } } }`);
  expect(res.errors).toBeUndefined();
  return res.data.runs.nodes.map((n: { name: string }) => n.name);
};

describe("runs filters and ordering", () => {
  it("orders newest first by default, and by any field either way", async () => {
    expect(await names("")).toEqual(["alpha-fork", "gamma", "beta", "alpha"]);
    expect(await names("orderBy: [{ field: NAME, direction: ASC }]")).toEqual(["alpha", "alpha-fork", "beta", "gamma"]);
    expect(await names("orderBy: [{ field: NUMBER, direction: ASC }]")).toEqual(["alpha", "beta", "gamma", "alpha-fork"]);
  });

  it("filters by state, tags, group, name, creation time and fork parent", async () => {
    expect(await names("filter: { states: [COMPLETED] }")).toEqual(["beta"]);
    expect((await names("filter: { tagsAny: [\"a\"] }")).sort()).toEqual(["alpha", "gamma"]);
    expect(await names("filter: { runGroup: \"g1\" }")).toEqual(["alpha"]);
    expect(await names("filter: { nameContains: \"ALPHA-\" }")).toEqual(["alpha-fork"]);
    expect(await names("filter: { createdAfter: \"2024-01-15T00:00:00Z\", createdBefore: \"2024-03-01T00:00:00Z\" }")).toEqual(["beta"]);
    expect(await names(`filter: { forkedFromRunId: ${ids.alpha} }`)).toEqual(["alpha-fork"]);
  });

  it("pages with first/after and last/before", async () => {
    const p1 = await acme.gql(`{ runs(projectName: "q", first: 2) { pageInfo { hasNextPage endCursor } nodes { name } } }`);
    expect(p1.data.runs.nodes.map((n: any) => n.name)).toEqual(["alpha-fork", "gamma"]);
    const p2 = await acme.gql(`query($a:String){ runs(projectName: "q", first: 2, after: $a) { pageInfo { hasNextPage } nodes { name } } }`, { a: p1.data.runs.pageInfo.endCursor });
    expect(p2.data.runs.nodes.map((n: any) => n.name)).toEqual(["beta", "alpha"]);
    expect(p2.data.runs.pageInfo.hasNextPage).toBe(false);
  });
});

describe("run lookup", () => {
  it("by global id, runId, displayId, externalId", async () => {
    const byRunId = await acme.gql(`query($id:Int!){ run(runId:$id){ id displayId } }`, { id: ids.gamma });
    const { id, displayId } = byRunId.data.run;
    expect(displayId).toBe("Q-3");
    const viaGlobal = await acme.gql(`query($id:ID!){ run(id:$id){ runId } node(id:$id){ ... on Run { runId } } }`, { id });
    expect(viaGlobal.data).toEqual({ run: { runId: ids.gamma }, node: { runId: ids.gamma } });
    const viaDisplay = await acme.gql(`{ run(displayId: "Q-3", projectName: "q") { runId } }`);
    expect(viaDisplay.data.run.runId).toBe(ids.gamma);
    const viaDisplayAlone = await acme.gql(`{ run(displayId: "q-3") { runId } }`);
    expect(viaDisplayAlone.data.run.runId).toBe(ids.gamma);
    const viaExternal = await acme.gql(`{ run(externalId: "ext-gamma", projectName: "q") { runId } }`);
    expect(viaExternal.data.run.runId).toBe(ids.gamma);
  });

  it("reports a display id shared by two projects instead of guessing", async () => {
    await createRunOk(acme, { projectName: "q.x" }); // prefix Q? no: "q.x" → QX; use a one-part name sharing the prefix
    await createRunOk(acme, { projectName: "q" });
    const other = await createRunOk(acme, { projectName: "Q" });
    expect(other.run.displayId).toBe("Q-1");
    const res = await acme.gql(`{ run(displayId: "Q-1") { runId } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe("AMBIGUOUS");
    expect(res.errors?.[0]?.message).toMatch(/several projects/);
    const scoped = await acme.gql(`{ run(displayId: "Q-1", projectName: "Q") { runId } }`);
    expect(scoped.data.run.runId).toBe(other.run.runId);
  });
});
