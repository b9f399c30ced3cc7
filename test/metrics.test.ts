import { beforeAll, describe, expect, it } from "vitest";
import { HISTORY, LOG_METRICS } from "./helpers/operations.js";
import { createRunOk, logSteps, range } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
});

describe("logMetrics", () => {
  it("round-trips NaN and ±Infinity; min and max ignore NaN", async () => {
    const { run } = await createRunOk(acme, { projectName: "m" });
    await logSteps(acme, run.runId, "v", [0, 1, 2, 3, 4], (s) => ["NaN", "Infinity", "-Infinity", 0.1, 5e-324][s]!);
    const res = await acme.gql(HISTORY, { runId: run.runId, name: "v" });
    expect(res.data.run.metric.history.nodes.map((n: any) => n.value)).toEqual(["NaN", "Infinity", "-Infinity", 0.1, 5e-324]);
    const s = await acme.gql(`query($id:Int!){ run(runId:$id){ metrics { name count min max last lastStep } } }`, { id: run.runId });
    expect(s.errors).toBeUndefined();
    expect(s.data.run.metrics).toEqual([{ name: "v", count: 5, min: "-Infinity", max: "Infinity", last: 5e-324, lastStep: 4 }]);
    await logSteps(acme, run.runId, "w", [0, 1], (s) => ["NaN", 2][s]!);
    const w = await acme.gql(HISTORY, { runId: run.runId, name: "w" });
    expect(w.data.run.metric.summary).toEqual({ count: 2, min: 2, max: 2, last: 2, lastStep: 1 });
  });

  it("logging the same (name, step) again replaces the value and keeps summaries right", async () => {
    const { run } = await createRunOk(acme, { projectName: "m" });
    await logSteps(acme, run.runId, "loss", [1, 2, 3], (s) => s * 10);
    await logSteps(acme, run.runId, "loss", [3], () => 1);
    await logSteps(acme, run.runId, "loss", [1], () => 99);
    const res = await acme.gql(HISTORY, { runId: run.runId, name: "loss" });
    expect(res.data.run.metric.history.nodes.map((n: any) => [n.step, n.value])).toEqual([[1, 99], [2, 20], [3, 1]]);
    expect(res.data.run.metric.summary).toEqual({ count: 3, min: 1, max: 99, last: 1, lastStep: 3 });
  });

  it("within one call the last point of a (name, step) wins", async () => {
    const { run } = await createRunOk(acme, { projectName: "m" });
    const res = await acme.gql(LOG_METRICS, { input: { runId: run.runId, points: [{ name: "a", step: 1, value: 1 }, { name: "a", step: 1, value: 2 }] } });
    expect(res.data.logMetrics.accepted).toBe(1);
    const h = await acme.gql(HISTORY, { runId: run.runId, name: "a" });
    expect(h.data.run.metric.history.nodes[0].value).toBe(2);
  });

  it("pages the history by cursor and filters a step window", async () => {
    const { run } = await createRunOk(acme, { projectName: "m" });
    await logSteps(acme, run.runId, "acc", range(0, 24));
    const seen: number[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: any = await acme.gql(HISTORY, { runId: run.runId, name: "acc", first: 10, after });
      const h = page.data.run.metric.history;
      seen.push(...h.nodes.map((n: any) => n.step));
      if (!h.pageInfo.hasNextPage) break;
      after = h.pageInfo.endCursor;
    }
    expect(seen).toEqual(range(0, 24));
    const win = await acme.gql(HISTORY, { runId: run.runId, name: "acc", from: 5, to: 8 });
    expect(win.data.run.metric.history.nodes.map((n: any) => n.step)).toEqual([5, 6, 7, 8]);
  });

  it("accepts 10,000 points in one call and steps beyond 2^31", async () => {
    const { run } = await createRunOk(acme, { projectName: "m" });
    const points = range(0, 9_999).map((step) => ({ name: `m${step % 4}`, step, value: step / 7 }));
    const res = await acme.gql(LOG_METRICS, { input: { runId: run.runId, points } });
    expect(res.data.logMetrics).toEqual({ __typename: "LogMetricsSuccess", accepted: 10_000 });
    const big = 2 ** 40;
    await logSteps(acme, run.runId, "big", [big]);
    const h = await acme.gql(HISTORY, { runId: run.runId, name: "big" });
    expect(h.data.run.metric.history.nodes[0].step).toBe(big);
    const m = await acme.gql(`query($id:Int!){ run(runId:$id){ metrics { name count } } }`, { id: run.runId });
    expect(m.data.run.metrics).toEqual([{ name: "big", count: 1 }, ...[0, 1, 2, 3].map((i) => ({ name: `m${i}`, count: 2500 }))]);
  });

  it("unknown metric names read as null", async () => {
    const { run } = await createRunOk(acme, { projectName: "m" });
    const res = await acme.gql(HISTORY, { runId: run.runId, name: "nope" });
    expect(res.data.run.metric).toBeNull();
  });
});

describe("bad metric input writes nothing", () => {
  it.each([
    ["negative step", { name: "a", step: -1, value: 1 }, ["input", "points", "1", "step"]],
    ["empty name", { name: "", step: 1, value: 1 }, ["input", "points", "1", "name"]],
    ["name over 255", { name: "n".repeat(256), step: 1, value: 1 }, ["input", "points", "1", "name"]],
  ])("%s", async (_l, bad, path) => {
    const { run } = await createRunOk(acme, { projectName: "bad" });
    const before = await app.counts();
    const res = await acme.gql(LOG_METRICS, { input: { runId: run.runId, points: [{ name: "ok", step: 0, value: 1 }, bad] } });
    expect(res.data.logMetrics.__typename).toBe("ValidationError");
    expect(res.data.logMetrics.fields.map((f: any) => f.path)).toContainEqual(path);
    expect(await app.counts()).toEqual(before);
  });

  it("more than 10,000 points", async () => {
    const { run } = await createRunOk(acme, { projectName: "bad" });
    const before = await app.counts();
    const points = range(0, 10_000).map((step) => ({ name: "a", step, value: 1 }));
    const res = await acme.gql(LOG_METRICS, { input: { runId: run.runId, points } });
    expect(res.data.logMetrics).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["input", "points"] }] });
    expect(await app.counts()).toEqual(before);
  });

  it("a value that is not a number is refused by the MetricValue scalar", async () => {
    const { run } = await createRunOk(acme, { projectName: "bad" });
    const res = await acme.gql(LOG_METRICS, { input: { runId: run.runId, points: [{ name: "a", step: 0, value: "nan" }] } });
    expect(res.errors?.[0]?.message).toMatch(/MetricValue/);
  });

  it("an unknown run", async () => {
    const res = await acme.gql(LOG_METRICS, { input: { runId: 987654, points: [{ name: "a", step: 0, value: 1 }] } });
    expect(res.data.logMetrics.__typename).toBe("NotFoundError");
  });
});
