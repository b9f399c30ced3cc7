import { beforeAll, describe, expect, it } from "vitest";
import { CREATE_RUN, FORK_RUN, HISTORY } from "./helpers/operations.js";
import { createRunOk, forkRunOk, logSteps, range } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
let root: any;
let a: any;
let b: any;

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  // root → A (fork at 100) → B (fork at 150, from A)
  root = (await createRunOk(acme, { projectName: "lineage", name: "root", tags: ["base", "group:g1"], config: { lr: 1, bs: 32 } })).run;
  await logSteps(acme, root.runId, "loss", range(0, 200), (s) => s);
  a = await forkRunOk(acme, { parentRunId: root.runId, step: 100, config: { lr: 2 } });
  await logSteps(acme, a.runId, "loss", range(101, 180), (s) => 1000 + s);
  b = await forkRunOk(acme, { parentRunId: a.runId, step: 150, name: "b", tags: ["mine"], inheritTags: true });
  await logSteps(acme, b.runId, "loss", range(151, 160), (s) => 2000 + s);
});

describe("fork", () => {
  it("records parent, step, depth, lineage; inherits config (shallow overlay) by default and tags only when asked", () => {
    expect(a).toMatchObject({ forkedFrom: { runId: root.runId }, forkStep: 100, forkDepth: 1, name: "root", config: { lr: 2, bs: 32 }, tags: [] });
    expect(a.lineage).toEqual([{ runId: root.runId }]);
    expect(b).toMatchObject({ forkedFrom: { runId: a.runId }, forkStep: 150, forkDepth: 2, config: { lr: 2, bs: 32 }, tags: ["mine"] });
    expect(b.lineage).toEqual([{ runId: root.runId }, { runId: a.runId }]);
  });

  it("inheritConfig false starts from the request's config only; inheritTags merges, last group kept", async () => {
    const c = await forkRunOk(acme, { parentRunId: root.runId, step: 5, inheritConfig: false, config: { only: 1 }, inheritTags: true, tags: ["base", "group:g2"] });
    expect(c.config).toEqual({ only: 1 });
    expect(c.tags).toEqual(["base", "group:g2"]);
    expect(c.runGroup).toBe("g2");
  });

  it("effective history of B: root's 0–100, A's 101–150, B's own from 151", async () => {
    const res = await acme.gql(HISTORY, { runId: b.runId, name: "loss", first: 1000 });
    const nodes = res.data.run.metric.history.nodes as { step: number; value: number; runId: number }[];
    expect(nodes.map((n) => n.step)).toEqual(range(0, 160));
    expect(nodes.filter((n) => n.runId === root.runId).map((n) => n.step)).toEqual(range(0, 100));
    expect(nodes.filter((n) => n.runId === a.runId).map((n) => n.step)).toEqual(range(101, 150));
    expect(nodes.filter((n) => n.runId === b.runId).map((n) => n.step)).toEqual(range(151, 160));
    expect(nodes.find((n) => n.step === 120)!.value).toBe(1120);
    expect(res.data.run.metric.summary).toEqual({ count: 161, min: 0, max: 2160, last: 2160, lastStep: 160 });
    expect(res.data.run.metric.history.totalCount).toBe(161);
  });

  it("ownOnly reads only the run's own points", async () => {
    const res = await acme.gql(HISTORY, { runId: b.runId, name: "loss", own: true, first: 1000 });
    expect(res.data.run.metric.history.nodes.map((n: any) => n.step)).toEqual(range(151, 160));
  });

  it("a fork copies nothing", async () => {
    const own = await app.prisma.metricPoint.count({ where: { metricId: { in: (await app.prisma.metric.findMany({ where: { runId: b.runId } })).map((m) => m.id) } } });
    expect(own).toBe(10);
  });

  it("forking at or before a run's own fork step forks the ancestor that owns that step", async () => {
    const fromA = await forkRunOk(acme, { parentRunId: b.runId, step: 120 });
    expect(fromA).toMatchObject({ forkedFrom: { runId: a.runId }, forkStep: 120, forkDepth: 2 });
    const fromRoot = await forkRunOk(acme, { parentRunId: b.runId, step: 100 });
    expect(fromRoot).toMatchObject({ forkedFrom: { runId: root.runId }, forkStep: 100, forkDepth: 1 });
    const fromB = await forkRunOk(acme, { parentRunId: b.runId, step: 151 });
    expect(fromB.forkedFrom.runId).toBe(b.runId);
  });

  it("lists forks with their count", async () => {
    const res = await acme.gql(`query($id:Int!){ run(runId:$id){ forks(first: 2) { totalCount nodes { runId forkStep } } } }`, { id: root.runId });
    expect(res.data.run.forks.totalCount).toBeGreaterThanOrEqual(3);
    expect(res.data.run.forks.nodes[0]).toEqual({ runId: a.runId, forkStep: 100 });
  });
});

describe("fork errors write nothing", () => {
  it("a step beyond the parent's largest logged step", async () => {
    const before = await app.counts();
    const res = await acme.gql(FORK_RUN, { input: { parentRunId: b.runId, step: 161 } });
    expect(res.data.forkRun).toMatchObject({ __typename: "ValidationError", message: "forkStep (161) exceeds the parent run's max step (160)" });
    expect(await app.counts()).toEqual(before);
  });

  it("an unknown parent, or one in another project", async () => {
    const before = await app.counts();
    const unknown = await acme.gql(CREATE_RUN, { input: { projectName: "lineage", name: "x", fork: { parentRunId: 999999, step: 1 } } });
    expect(unknown.data.createRun).toMatchObject({ __typename: "NotFoundError", message: "Fork parent run not found in this project" });
    const otherProject = await acme.gql(CREATE_RUN, { input: { projectName: "elsewhere", name: "x", fork: { parentRunId: root.runId, step: 1 } } });
    expect(otherProject.data.createRun.__typename).toBe("NotFoundError");
    expect(await app.counts()).toEqual(before);
  });

  it("a parent of another organization is not found", async () => {
    const other = await app.org("other");
    const res = await other.gql(FORK_RUN, { input: { parentRunId: root.runId, step: 1 } });
    expect(res.data.forkRun.__typename).toBe("NotFoundError");
    const viaCreate = await other.gql(CREATE_RUN, { input: { projectName: "lineage", name: "x", fork: { parentRunId: root.runId, step: 1 } } });
    expect(viaCreate.data.createRun.__typename).toBe("NotFoundError");
  });

  it("a parent without metrics accepts any step", async () => {
    const empty = (await createRunOk(acme, { projectName: "lineage", name: "empty" })).run;
    const child = await forkRunOk(acme, { parentRunId: empty.runId, step: 1_000_000 });
    expect(child.forkStep).toBe(1_000_000);
  });

  it("resuming a fork by externalId returns it as it is, without re-forking", async () => {
    const first = await createRunOk(acme, { projectName: "lineage", name: "f", externalId: "fork-ext", fork: { parentRunId: root.runId, step: 10 } });
    const again = await createRunOk(acme, { projectName: "lineage", name: "f", externalId: "fork-ext", fork: { parentRunId: a.runId, step: 120 } });
    expect(again).toMatchObject({ resumed: true, run: { runId: first.run.runId, forkStep: 10, forkedFrom: { runId: root.runId } } });
  });
});
