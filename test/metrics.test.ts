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

describe("buckets", () => {
  const BUCKETS = `query($id:Int!, $n:Int!, $from: SafeInt, $to: SafeInt, $own: Boolean) { run(runId:$id) { metric(name:"x") {
    buckets(count:$n, fromStep:$from, toStep:$to, ownOnly:$own) { fromStep toStep count min max mean first last lastStep } } } }`;

  it("cuts the history into equal step widths with min, max, mean (NaN ignored), first and last", async () => {
    const { run } = await createRunOk(acme, { projectName: "b" });
    await logSteps(acme, run.runId, "x", range(0, 9), (s) => (s === 3 ? "NaN" : s));
    const res = await acme.gql(BUCKETS, { id: run.runId, n: 3 });
    expect(res.errors).toBeUndefined();
    expect(res.data.run.metric.buckets).toEqual([
      { fromStep: 0, toStep: 3, count: 4, min: 0, max: 2, mean: 1, first: 0, last: "NaN", lastStep: 3 },
      { fromStep: 4, toStep: 7, count: 4, min: 4, max: 7, mean: 5.5, first: 4, last: 7, lastStep: 7 },
      { fromStep: 8, toStep: 9, count: 2, min: 8, max: 9, mean: 8.5, first: 8, last: 9, lastStep: 9 },
    ]);
    const zoom = await acme.gql(BUCKETS, { id: run.runId, n: 2, from: 4, to: 7 });
    expect(zoom.data.run.metric.buckets.map((b: any) => [b.fromStep, b.toStep, b.count])).toEqual([[4, 5, 2], [6, 7, 2]]);
    const sparse = await acme.gql(BUCKETS, { id: run.runId, n: 100, from: 0, to: 999 });
    expect(sparse.data.run.metric.buckets).toHaveLength(1);
    expect(sparse.data.run.metric.buckets[0]).toMatchObject({ fromStep: 0, toStep: 9, count: 10 });
    const bad = await acme.gql(BUCKETS, { id: run.runId, n: 0 });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("reads a fork's effective history across the fork boundary", async () => {
    const { run: parent } = await createRunOk(acme, { projectName: "b" });
    await logSteps(acme, parent.runId, "x", range(0, 9), () => 1);
    const child = await acme.gql(`mutation($p:Int!){ forkRun(input:{parentRunId:$p, step:4}){ ... on ForkRunSuccess { run { runId } } } }`, { p: parent.runId });
    const childId = child.data.forkRun.run.runId;
    await logSteps(acme, childId, "x", range(5, 9), () => 2);
    const res = await acme.gql(BUCKETS, { id: childId, n: 2 });
    expect(res.data.run.metric.buckets.map((b: any) => [b.fromStep, b.toStep, b.count, b.mean])).toEqual([[0, 4, 5, 1], [5, 9, 5, 2]]);
    const own = await acme.gql(BUCKETS, { id: childId, n: 1, own: true });
    expect(own.data.run.metric.buckets).toMatchObject([{ fromStep: 5, toStep: 9, count: 5 }]);
    const count = await acme.gql(HISTORY, { runId: childId, name: "x", from: 3, to: 6 });
    expect(count.data.run.metric.history.totalCount).toBe(4);
  });
});

describe("concurrent batches and deletion", () => {
  it("batches of one run racing over the same steps all succeed and leave consistent summaries", async () => {
    const { run } = await createRunOk(acme, { projectName: "race" });
    // Eight batches at once, overlapping: several take the append path and lose the race.
    await Promise.all(range(0, 7).map((k) => logSteps(acme, run.runId, "loss", range(k * 50, k * 50 + 99), () => k)));
    const res = await acme.gql(HISTORY, { runId: run.runId, name: "loss", first: 1000 });
    const nodes = res.data.run.metric.history.nodes;
    expect(nodes.map((n: any) => n.step)).toEqual(range(0, 449));
    const values = nodes.map((n: any) => n.value as number);
    expect(res.data.run.metric.summary).toEqual({
      count: 450,
      min: Math.min(...values),
      max: Math.max(...values),
      last: values.at(-1),
      lastStep: 449,
    });
  });

  it("deleting an organization deletes its series' points, and no one else's", async () => {
    const doomed = await app.org("doomed");
    const { run } = await createRunOk(doomed, { projectName: "gone" });
    await logSteps(doomed, run.runId, "loss", range(0, 99));
    const { run: kept } = await createRunOk(acme, { projectName: "kept" });
    await logSteps(acme, kept.runId, "loss", range(0, 9));
    const pointsOf = async (runId: number) => {
      const ids = (await app.prisma.metric.findMany({ where: { runId } })).map((m) => m.id);
      return { ids, count: await app.prisma.metricPoint.count({ where: { metricId: { in: ids } } }) };
    };
    const before = await pointsOf(run.runId);
    expect(before.count).toBe(100);
    await app.prisma.organization.delete({ where: { id: doomed.id } });
    expect(await app.prisma.metricPoint.count({ where: { metricId: { in: before.ids } } })).toBe(0);
    expect((await pointsOf(kept.runId)).count).toBe(10);
  });
});

describe("logMetrics with series (parallel arrays)", () => {
  it("stores the same points as the object form, together with it, NaN and times included", async () => {
    const { run } = await createRunOk(acme, { projectName: "series" });
    const res = await acme.gql(LOG_METRICS, {
      input: {
        runId: run.runId,
        points: [{ name: "acc", step: 0, value: 0.5 }],
        series: [
          { name: "loss", steps: [0, 1, 2], values: [1, "NaN", 0.25] },
          { name: "lr", steps: [5], values: [0.1], times: ["2026-01-02T03:04:05.006Z"] },
        ],
      },
    });
    expect(res.data.logMetrics).toEqual({ __typename: "LogMetricsSuccess", accepted: 5 });
    const loss = await acme.gql(HISTORY, { runId: run.runId, name: "loss" });
    expect(loss.data.run.metric.history.nodes.map((n: any) => [n.step, n.value])).toEqual([[0, 1], [1, "NaN"], [2, 0.25]]);
    const lr = await acme.gql(`query($id:Int!){ run(runId:$id){ metric(name:"lr"){ history { nodes { step value time } } } } }`, { id: run.runId });
    expect(lr.data.run.metric.history.nodes).toEqual([{ step: 5, value: 0.1, time: "2026-01-02T03:04:05.006Z" }]);
  });

  it("refuses arrays of different lengths and batches over the limit, writing nothing", async () => {
    const { run } = await createRunOk(acme, { projectName: "series-bad" });
    const before = await app.counts();
    const mismatch = await acme.gql(LOG_METRICS, { input: { runId: run.runId, series: [{ name: "loss", steps: [0, 1], values: [1] }] } });
    expect(mismatch.data.logMetrics.__typename).toBe("ValidationError");
    expect(mismatch.data.logMetrics.fields).toEqual([{ path: ["input", "series", "0", "values"], message: expect.stringMatching(/one entry per step/) }]);
    const steps = range(0, 9_000);
    const over = await acme.gql(LOG_METRICS, {
      input: { runId: run.runId, points: range(0, 1_000).map((step) => ({ name: "a", step, value: 1 })), series: [{ name: "b", steps, values: steps }] },
    });
    expect(over.data.logMetrics.__typename).toBe("ValidationError");
    expect(over.data.logMetrics.message).toMatch(/At most 10000 points per call \(got 10002\)/);
    expect(await app.counts()).toEqual(before);
  });
});
