import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { HISTORY } from "./helpers/operations.js";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Sorting and filtering runs by a metric works on effective histories (run-model.md,
// "Metrics"): a fork's LAST/MIN/MAX include what it inherits. The expected order is
// computed here from each run's raw effective history, read through `history`.

let app: TestApp;
let acme: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  other = await app.org("other");
});

type Agg = "LAST" | "MIN" | "MAX";
const LIST = `query($p:String!, $o:[RunOrder!], $f:RunFilter, $first:Int, $after:String) {
  runs(projectName:$p, orderBy:$o, filter:$f, first:$first, after:$after) { totalCount pageInfo { hasNextPage endCursor } nodes { runId } } }`;

async function effective(runId: number): Promise<{ step: number; value: number | string }[]> {
  const res = await acme.gql(HISTORY, { runId, name: "loss", first: 10000 });
  expect(res.errors).toBeUndefined();
  return res.data.run.metric?.history.nodes ?? [];
}

function aggregate(points: { value: number | string }[], agg: Agg): number | null {
  const values = points.map((p) => Number(p.value));
  if (agg === "LAST") {
    const last = values.at(-1);
    return last == null || Number.isNaN(last) ? null : last;
  }
  const real = values.filter((v) => !Number.isNaN(v));
  if (real.length === 0) return null;
  return agg === "MIN" ? Math.min(...real) : Math.max(...real);
}

/** Every page of the list, following endCursor. */
async function allPages(project: string, variables: Record<string, unknown>, pageSize: number) {
  const ids: number[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (;;) {
    const res: any = await acme.gql(LIST, { p: project, first: pageSize, after, ...variables });
    expect(res.errors).toBeUndefined();
    totalCount = res.data.runs.totalCount;
    ids.push(...res.data.runs.nodes.map((n: { runId: number }) => n.runId));
    if (!res.data.runs.pageInfo.hasNextPage) break;
    after = res.data.runs.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

describe("runs ordered and filtered by a metric", () => {
  it("follow the effective histories of roots and forks, page after page", async () => {
    const value = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -50, max: 50 }).map((n) => n / 4) }, { weight: 1, arbitrary: fc.constant("NaN") });
    const points = fc.array(fc.record({ step: fc.integer({ min: 0, max: 2500 }), value }), { maxLength: 60 });
    const run = fc.record({ parent: fc.option(fc.nat(), { nil: null }), forkAt: fc.nat(), points });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(run, { minLength: 1, maxLength: 7 }),
        fc.constantFrom<Agg>("LAST", "MIN", "MAX"),
        fc.constantFrom("ASC", "DESC"),
        fc.option(fc.integer({ min: -12, max: 12 }), { nil: null }),
        fc.integer({ min: 1, max: 4 }),
        async (runs, agg, direction, below, pageSize) => {
          const project = `m${n++}`;
          const ids: number[] = [];
          for (const r of runs) {
            const withPoints = ids.length > 0 && r.parent != null ? ids[r.parent % ids.length]! : null;
            let id: number;
            const maxStep = withPoints == null ? null : (await effective(withPoints)).at(-1)?.step;
            if (withPoints != null && maxStep != null) {
              id = (await forkRunOk(acme, { parentRunId: withPoints, step: r.forkAt % (maxStep + 1) })).runId;
            } else {
              id = (await createRunOk(acme, { projectName: project })).run.runId;
            }
            // A fork's own points come after its fork step; earlier ones are not its history.
            if (r.points.length) await logSteps(acme, id, "loss", [...new Set(r.points.map((p) => p.step + 2500))], (s) => r.points.find((p) => p.step + 2500 === s)!.value);
            ids.push(id);
          }
          const expected = await Promise.all(ids.map(async (id) => ({ id, v: aggregate(await effective(id), agg) })));
          const sign = direction === "ASC" ? 1 : -1;
          const order = (xs: typeof expected) =>
            [...xs]
              .sort((a, b) => (a.v === b.v ? sign * (a.id - b.id) : a.v == null ? 1 : b.v == null ? -1 : sign * (a.v - b.v)))
              .map((x) => x.id);

          const sorted = await allPages(project, { o: [{ metric: "loss", aggregate: agg, direction }] }, pageSize);
          expect(sorted.ids).toEqual(order(expected));
          expect(sorted.totalCount).toBe(ids.length);

          if (below != null) {
            const filtered = await allPages(project, { f: { metrics: [{ name: "loss", aggregate: agg, lt: below }] }, o: [{ metric: "loss", aggregate: agg, direction }] }, pageSize);
            const want = expected.filter((x) => x.v != null && x.v < below);
            expect(filtered.ids).toEqual(order(want));
            expect(filtered.totalCount).toBe(want.length);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("combines metric conditions with the other filters, and a condition without bounds means the run has the metric", async () => {
    const a = (await createRunOk(acme, { projectName: "combo", name: "a", tags: ["x"] })).run.runId;
    const b = (await createRunOk(acme, { projectName: "combo", name: "b" })).run.runId;
    const c = (await createRunOk(acme, { projectName: "combo", name: "c", tags: ["x"] })).run.runId;
    await logSteps(acme, a, "loss", [0, 1], (s) => [0.5, 0.05][s]!);
    await logSteps(acme, b, "loss", [0], () => 0.01);
    await logSteps(acme, a, "acc", [0], () => 0.9);
    const q = async (f: unknown) => (await acme.gql(LIST, { p: "combo", f })).data.runs.nodes.map((n: any) => n.runId);
    expect(await q({ metrics: [{ name: "loss", lt: 0.1 }] })).toEqual([b, a]);
    expect(await q({ tagsAny: ["x"], metrics: [{ name: "loss", lt: 0.1 }] })).toEqual([a]);
    expect(await q({ metrics: [{ name: "loss", aggregate: "MAX", gte: 0.5 }] })).toEqual([a]);
    expect(await q({ metrics: [{ name: "loss", lte: 0.05, gt: 0.01 }] })).toEqual([a]);
    expect(await q({ metrics: [{ name: "acc" }] })).toEqual([a]);
    expect(await q({ metrics: [{ name: "acc" }, { name: "loss", lt: 0.01 }] })).toEqual([]);
    expect(c).toBeGreaterThan(0);
  });

  it("never sees another organization's runs", async () => {
    const mine = (await createRunOk(acme, { projectName: "shared" })).run.runId;
    const theirs = (await createRunOk(other, { projectName: "shared" })).run.runId;
    await logSteps(acme, mine, "loss", [0], () => 1);
    await logSteps(other, theirs, "loss", [0], () => 0);
    const res = await acme.gql(LIST, { p: "shared", o: [{ metric: "loss", direction: "ASC" }] });
    expect(res.data.runs).toMatchObject({ totalCount: 1, nodes: [{ runId: mine }] });
  });

  it("rejects orders that are not one thing, with a typed error", async () => {
    for (const o of [[{ direction: "ASC" }], [{ field: "NAME", metric: "loss" }], [{ metric: "loss" }, { field: "NAME" }], [{ metric: "" }]]) {
      const res = await acme.gql(LIST, { p: "combo", o });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(o)).toBe("BAD_USER_INPUT");
    }
    const nested = await acme.gql(`{ project(name:"combo") { runs(orderBy:[{ metric:"loss" }]) { nodes { runId } } } }`);
    expect(nested.errors?.[0]).toMatchObject({ message: expect.stringContaining("Query.runs"), extensions: { code: "BAD_USER_INPUT" } });
  });
});
