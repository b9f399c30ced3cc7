import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { NotFoundError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { InputCheck } from "./validate.js";

export interface MetricPointInput {
  name: string;
  step: number;
  /** Any double, NaN and ±Infinity included. */
  value: number;
  time?: Date | null;
}

export function validatePoints(points: readonly MetricPointInput[]): void {
  const check = new InputCheck();
  if (points.length > LIMITS.pointsPerCall) {
    check.fail(["points"], `At most ${LIMITS.pointsPerCall} points per call (got ${points.length}).`);
    check.done();
  }
  points.forEach((p, i) => {
    check
      .text(["points", i, "name"], p.name, { required: true, max: LIMITS.metricNameLength })
      .step(["points", i, "step"], p.step, LIMITS.maxStep)
      .date(["points", i, "time"], p.time);
    if (typeof p.value !== "number") check.fail(["points", i, "value"], "value must be a number, NaN or ±Infinity.");
  });
  check.done();
}

/** float8 input accepts NaN, Infinity and -Infinity spelled this way; exact for finite values. */
const floatText = (v: number) => String(v);

/**
 * Writes a batch of points in one transaction with set-based statements: the series rows,
 * every point (same run, name and step replaces), the per-series summaries and the run's
 * max step. Returns how many distinct points were stored.
 */
export async function logMetrics(
  prisma: PrismaClient,
  organizationId: number,
  input: { runId: number; points: readonly MetricPointInput[] },
): Promise<{ accepted: number }> {
  validatePoints(input.points);
  // Within one batch the last point of a (name, step) wins, as if sent one after another.
  const byKey = new Map<string, MetricPointInput>();
  for (const p of input.points) byKey.set(`${p.step}\u0000${p.name}`, p);
  const points = [...byKey.values()];
  const now = new Date();

  return prisma.$transaction(async (tx) => {
    const run = await tx.run.findFirst({ where: { id: input.runId, organizationId }, select: { id: true } });
    if (!run) throw new NotFoundError(`Run ${input.runId} not found.`, "Run");
    if (points.length === 0) return { accepted: 0 };

    const names = [...new Set(points.map((p) => p.name))];
    await tx.$executeRaw`
      INSERT INTO metrics (run_id, name) SELECT ${run.id}, unnest(${names}::text[])
      ON CONFLICT (run_id, name) DO NOTHING`;
    const series = await tx.$queryRaw<{ id: number; name: string }[]>`
      SELECT id, name FROM metrics WHERE run_id = ${run.id} AND name = ANY(${names}::text[])`;
    const idOf = new Map(series.map((s) => [s.name, s.id]));

    const rewritten = await tx.$queryRaw<{ metric_id: number }[]>`
      WITH ins AS (
        INSERT INTO metric_points (metric_id, step, value, time)
        SELECT * FROM unnest(${points.map((p) => idOf.get(p.name)!)}::int[], ${points.map((p) => String(p.step))}::bigint[],
                             ${points.map((p) => floatText(p.value))}::float8[], ${points.map((p) => (p.time ?? now).toISOString())}::timestamptz[])
        ON CONFLICT (metric_id, step) DO UPDATE SET value = EXCLUDED.value, time = EXCLUDED.time
        RETURNING metric_id, step, value, (xmax = 0) AS inserted
      ), agg AS (
        SELECT metric_id, bool_and(inserted) AS all_new, count(*) AS n,
               min(value) FILTER (WHERE value <> 'NaN') AS mn, max(value) FILTER (WHERE value <> 'NaN') AS mx,
               max(step) AS last_step, (array_agg(value ORDER BY step DESC))[1] AS last_value
        FROM ins GROUP BY metric_id
      ), incremental AS (
        UPDATE metrics m SET count = m.count + a.n, min = LEAST(m.min, a.mn), max = GREATEST(m.max, a.mx),
          last_value = CASE WHEN m.last_step IS NULL OR a.last_step >= m.last_step THEN a.last_value ELSE m.last_value END,
          last_step = GREATEST(m.last_step, a.last_step)
        FROM agg a WHERE m.id = a.metric_id AND a.all_new
        RETURNING m.id
      )
      SELECT metric_id FROM agg WHERE NOT all_new`;

    // Overwritten points can take away a min, a max or the last value: recount those series.
    if (rewritten.length > 0) {
      const ids = rewritten.map((r) => r.metric_id);
      await tx.$executeRaw`
        UPDATE metrics m SET count = s.n, min = s.mn, max = s.mx, last_step = s.ls,
          last_value = (SELECT value FROM metric_points WHERE metric_id = m.id ORDER BY step DESC LIMIT 1)
        FROM (SELECT metric_id, count(*) AS n, min(value) FILTER (WHERE value <> 'NaN') AS mn,
                     max(value) FILTER (WHERE value <> 'NaN') AS mx, max(step) AS ls
              FROM metric_points WHERE metric_id = ANY(${ids}::int[]) GROUP BY metric_id) s
        WHERE m.id = s.metric_id`;
    }
    await refreshRollups(tx, points.map((p) => [idOf.get(p.name)!, Math.floor(p.step / LIMITS.rollupBlock)]));
    const maxStep = points.reduce((m, p) => Math.max(m, p.step), 0);
    await tx.$executeRaw`UPDATE runs SET max_step = GREATEST(max_step, ${String(maxStep)}::bigint) WHERE id = ${run.id}`;
    return { accepted: points.length };
  });
}

/**
 * Recomputes the rollup blocks a batch touched from their points: one statement, about a
 * block's worth of rows per touched block, and right after overwrites too.
 */
async function refreshRollups(tx: Prisma.TransactionClient, touched: [metricId: number, block: number][]): Promise<void> {
  const unique = [...new Map(touched.map(([m, b]) => [`${m}:${b}`, [m, b] as const])).values()];
  const B = LIMITS.rollupBlock;
  await tx.$executeRaw`
    INSERT INTO metric_rollups (metric_id, block, count, non_nan, sum, min, max, first_step, first_value, last_step, last_value)
    SELECT t.metric_id, t.block, count(*), count(*) FILTER (WHERE p.value <> 'NaN'),
           sum(p.value) FILTER (WHERE p.value <> 'NaN'), min(p.value) FILTER (WHERE p.value <> 'NaN'),
           max(p.value) FILTER (WHERE p.value <> 'NaN'),
           min(p.step), (array_agg(p.value ORDER BY p.step))[1], max(p.step), (array_agg(p.value ORDER BY p.step DESC))[1]
    FROM unnest(${unique.map(([m]) => m)}::int[], ${unique.map(([, b]) => String(b))}::bigint[]) AS t(metric_id, block)
    JOIN metric_points p ON p.metric_id = t.metric_id AND p.step >= t.block * ${B} AND p.step < (t.block + 1) * ${B}
    GROUP BY t.metric_id, t.block
    ON CONFLICT (metric_id, block) DO UPDATE SET count = EXCLUDED.count, non_nan = EXCLUDED.non_nan, sum = EXCLUDED.sum,
      min = EXCLUDED.min, max = EXCLUDED.max, first_step = EXCLUDED.first_step, first_value = EXCLUDED.first_value,
      last_step = EXCLUDED.last_step, last_value = EXCLUDED.last_value`;
}
