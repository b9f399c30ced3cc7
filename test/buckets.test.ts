import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../src/domain/limits.js";
import { HISTORY, LOG_METRICS } from "./helpers/operations.js";
import { createRunOk, forkRunOk } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Buckets read whole blocks from rollups and the rest from points. Whatever the series
// (NaN, overwrites, a fork boundary inside a block) and the window, every bucket must equal
// what the raw effective history gives.

let app: TestApp;
let acme: TestOrg;
beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
});

const B = LIMITS.rollupBlock;
const BUCKETS = `query($id:Int!, $n:Int!, $f:SafeInt, $t:SafeInt) { run(runId:$id) { metric(name:"x") {
  summary { count min max last firstStep lastStep }
  buckets(count:$n, fromStep:$f, toStep:$t) { fromStep toStep count min max mean first last lastStep } } } }`;

type P = { step: number; value: number | string };
const num = (v: number | string) => (typeof v === "number" ? v : Number(v));

async function log(runId: number, points: P[]) {
  for (let i = 0; i < points.length; i += 5000) {
    const res = await acme.gql(LOG_METRICS, { input: { runId, points: points.slice(i, i + 5000).map((p) => ({ name: "x", ...p })) } });
    expect(res.data.logMetrics.__typename).toBe("LogMetricsSuccess");
  }
}

async function history(runId: number): Promise<P[]> {
  const res = await acme.gql(HISTORY, { runId, name: "x", first: 10000 });
  return res.data.run.metric.history.nodes;
}

const value = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8) }, { weight: 1, arbitrary: fc.constant("NaN") });
const series = fc.array(fc.record({ step: fc.integer({ min: 0, max: 4 * B + 500 }), value }), { minLength: 1, maxLength: 1500 });

describe("buckets from rollups", () => {
  it("equal the raw effective history, bucket by bucket", async () => {
    await fc.assert(
      fc.asyncProperty(
        series,
        fc.option(series, { nil: null }),
        fc.option(fc.integer({ min: 0, max: 4 * B }), { nil: null }),
        fc.integer({ min: 1, max: 12 }),
        // A window given by both ends, by one, or by none (the summary's first and last step).
        fc.tuple(fc.option(fc.integer({ min: 0, max: 5 * B }), { nil: null }), fc.option(fc.integer({ min: 0, max: 5 * B }), { nil: null })),
        async (points, rewrite, forkAt, count, window) => {
          const root = (await createRunOk(acme, { projectName: "buckets" })).run.runId;
          await log(root, points);
          if (rewrite) await log(root, rewrite); // overwrites some steps
          let target = root;
          if (forkAt != null) {
            const maxStep = Math.max(...points.map((p) => p.step), ...(rewrite ?? []).map((p) => p.step));
            target = (await forkRunOk(acme, { parentRunId: root, step: Math.min(forkAt, maxStep) })).runId;
            await log(target, points.map((p) => ({ step: p.step + B, value: p.value })));
          }
          const [from, to] = window[0] != null && window[1] != null ? [Math.min(...(window as number[])), Math.max(...(window as number[]))] : window;
          const res = await acme.gql(BUCKETS, { id: target, n: count, f: from, t: to });
          expect(res.errors).toBeUndefined();
          const buckets: any[] = res.data.run.metric?.buckets ?? [];
          const whole = await history(target);
          const all = whole.filter((p) => (from == null || p.step >= from) && (to == null || p.step <= to));

          // The series summary (rollups for whole blocks of each fork segment) equals the raw one.
          const finite = whole.map((p) => num(p.value)).filter((v) => !Number.isNaN(v));
          expect(res.data.run.metric.summary).toEqual({
            count: whole.length,
            min: finite.length ? Math.min(...finite) : null,
            max: finite.length ? Math.max(...finite) : null,
            last: whole.at(-1)!.value,
            firstStep: whole[0]!.step,
            lastStep: whole.at(-1)!.step,
          });

          expect(buckets.length).toBeLessThanOrEqual(count);
          expect(buckets.map((b) => b.fromStep)).toEqual(buckets.map((b) => b.fromStep).sort((a, b) => a - b));
          expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(all.length);
          const widths = buckets.slice(0, -1).map((b) => b.toStep - b.fromStep + 1);
          expect(new Set(widths).size).toBeLessThanOrEqual(1);
          for (const b of buckets) {
            const inside = all.filter((p) => p.step >= b.fromStep && p.step <= b.toStep);
            const real = inside.map((p) => num(p.value)).filter((v) => !Number.isNaN(v));
            expect(b.count).toBe(inside.length);
            expect(b.min).toBe(real.length ? Math.min(...real) : null);
            expect(b.max).toBe(real.length ? Math.max(...real) : null);
            if (real.length) expect(b.mean).toBeCloseTo(real.reduce((s, v) => s + v, 0) / real.length, 9);
            else expect(b.mean).toBeNull();
            expect(b.first).toEqual(inside[0]!.value);
            expect(b.last).toEqual(inside.at(-1)!.value);
            expect(b.lastStep).toBe(inside.at(-1)!.step);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("an overview of whole blocks reads rollups, not points", async () => {
    const run = (await createRunOk(acme, { projectName: "buckets" })).run.runId;
    await log(run, Array.from({ length: 4 * B }, (_, i) => ({ step: i, value: i })));
    const rollups = await app.prisma.metricRollup.count({ where: { metric: { runId: run } } });
    expect(rollups).toBe(4);
    // Change the points behind the rollups' back: an answer built from rollups does not see it.
    await app.prisma.$executeRawUnsafe(`UPDATE metric_points SET value = -1 WHERE metric_id = (SELECT id FROM metrics WHERE run_id = $1)`, run);
    const res = await acme.gql(BUCKETS, { id: run, n: 4 });
    expect(res.data.run.metric.buckets.map((b: any) => b.max)).toEqual([999, 1999, 2999, 3999]);
  });
});

describe("rollups kept by ingest", () => {
  it("equal the aggregates of their blocks' points after any sequence of batches (appends, overwrites, NaN)", async () => {
    const batch = fc.array(fc.record({ step: fc.integer({ min: 0, max: 3 * B }), value }), { minLength: 1, maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 6 }), async (batches) => {
        const runId = (await createRunOk(acme, { projectName: "rollups" })).run.runId;
        for (const points of batches) await log(runId, points);
        const [diff] = await app.prisma.$queryRawUnsafe<{ n: bigint }[]>(
          `WITH m AS (SELECT id FROM metrics WHERE run_id = $1),
           want AS (
             SELECT metric_id, step / ${B} AS block, count(*)::int AS count, (count(*) FILTER (WHERE value <> 'NaN'))::int AS non_nan,
                    sum(value) FILTER (WHERE value <> 'NaN') AS sum, min(value) FILTER (WHERE value <> 'NaN') AS min,
                    max(value) FILTER (WHERE value <> 'NaN') AS max, min(step) AS first_step, (array_agg(value ORDER BY step))[1] AS first_value,
                    max(step) AS last_step, (array_agg(value ORDER BY step DESC))[1] AS last_value
             FROM metric_points WHERE metric_id IN (SELECT id FROM m) GROUP BY 1, 2),
           have AS (SELECT metric_id, block, count, non_nan, sum, min, max, first_step, first_value, last_step, last_value
                    FROM metric_rollups WHERE metric_id IN (SELECT id FROM m))
           SELECT count(*) AS n FROM ((SELECT * FROM want EXCEPT SELECT * FROM have) UNION ALL (SELECT * FROM have EXCEPT SELECT * FROM want)) d`,
          runId,
        );
        expect(Number(diff!.n)).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});
