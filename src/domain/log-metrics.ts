import type { Sql } from "../db/sql.js";
import { retryingConflicts } from "./db.js";
import { NotFoundError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { InputCheck, isStep, isStorableTime, textProblem } from "./validate.js";

export interface MetricPointInput {
  name: string;
  step: number;
  /** Any double, NaN and ±Infinity included. */
  value: number;
  time?: Date | null;
}

/** One metric's points as parallel arrays: the compact form for large batches. */
export interface MetricSeriesInput {
  name: string;
  steps: readonly number[];
  values: readonly number[];
  times?: readonly Date[] | null;
}

/** The points of `series`, after `points`; the arrays of a series must have one length. */
export function pointsOf(input: { points?: readonly MetricPointInput[] | null; series?: readonly MetricSeriesInput[] | null }): MetricPointInput[] {
  const series = input.series ?? [];
  const check = new InputCheck();
  series.forEach((s, i) => {
    if (s.values.length !== s.steps.length) check.fail(["series", i, "values"], `values must have one entry per step (${s.steps.length}, got ${s.values.length}).`);
    if (s.times && s.times.length !== s.steps.length) check.fail(["series", i, "times"], `times must have one entry per step (${s.steps.length}, got ${s.times.length}).`);
  });
  const total = (input.points?.length ?? 0) + series.reduce((n, s) => n + s.steps.length, 0);
  if (total > LIMITS.pointsPerCall) check.fail(["points"], `At most ${LIMITS.pointsPerCall} points per call (got ${total}).`);
  check.done();
  const points = [...(input.points ?? [])];
  for (const s of series) {
    for (let k = 0; k < s.steps.length; k++) points.push({ name: s.name, step: s.steps[k]!, value: s.values[k]!, time: s.times?.[k] ?? null });
  }
  return points;
}

export interface LogMetricsResult {
  /** Distinct (name, step) points stored. */
  accepted: number;
  names: string[];
  maxStep: number;
}

/** The same rules as the InputCheck below, asked without describing anything. */
const validPoint = (p: MetricPointInput, names: Set<string>) =>
  (names.has(p.name) || (textProblem("name", p.name, { required: true, max: LIMITS.metricNameLength }) === null && names.add(p.name))) &&
  isStep(p.step, LIMITS.maxStep) &&
  typeof p.value === "number" &&
  (p.time == null || isStorableTime(p.time.getTime()));

export function validatePoints(points: readonly MetricPointInput[]): void {
  const check = new InputCheck();
  if (points.length > LIMITS.pointsPerCall) {
    check.fail(["points"], `At most ${LIMITS.pointsPerCall} points per call (got ${points.length}).`);
    check.done();
  }
  // A batch is thousands of points: check each cheaply, and describe them only if one is bad.
  const names = new Set<string>();
  if (points.every((p) => validPoint(p, names))) return;
  points.forEach((p, i) => {
    check
      .text(["points", i, "name"], p.name, { required: true, max: LIMITS.metricNameLength })
      .step(["points", i, "step"], p.step, LIMITS.maxStep)
      .date(["points", i, "time"], p.time);
    if (typeof p.value !== "number") check.fail(["points", i, "value"], "value must be a number, NaN or ±Infinity.");
  });
  check.done();
}

/** Within one batch the last point of a (name, step) wins, as if sent one after another. */
function lastOfEachStep(points: readonly MetricPointInput[]): MetricPointInput[] {
  const byName = new Map<string, Map<number, MetricPointInput>>();
  for (const p of points) {
    let steps = byName.get(p.name);
    if (!steps) byName.set(p.name, (steps = new Map()));
    steps.set(p.step, p);
  }
  return [...byName.values()].flatMap((steps) => [...steps.values()]);
}

// Arrays travel as one PostgreSQL array literal each: 10,000 elements cost one join instead
// of a driver's per-element escaping. float8 input spells NaN and ±Infinity as JS does.
const literal = (xs: readonly (number | string)[]) => `{${xs.join(",")}}`;
const timesLiteral = (points: readonly MetricPointInput[]) =>
  points.some((p) => p.time) ? literal(points.map((p) => (p.time ? `"${p.time.toISOString()}"` : "NULL"))) : null;

const B = LIMITS.rollupBlock;

// The value at a group's first and last step: the smallest and largest [step, value] pair
// (steps are unique in a group, and exact in float8 up to LIMITS.maxStep). Unlike an
// ordered array_agg this needs no sort per group and lets PostgreSQL hash the groups.
const VALUE_AT_FIRST_STEP = "(min(ARRAY[step::float8, value]))[2]";
const VALUE_AT_LAST_STEP = "(max(ARRAY[step::float8, value]))[2]";

/** Aggregates of rows `src` (metric_id, step, value) per metric and rollup block. */
const blockAggregates = (src: string) => `
  SELECT metric_id, step / ${B} AS block, count(*) AS count, count(*) FILTER (WHERE value <> 'NaN') AS non_nan,
         sum(value) FILTER (WHERE value <> 'NaN') AS sum, min(value) FILTER (WHERE value <> 'NaN') AS min,
         max(value) FILTER (WHERE value <> 'NaN') AS max, min(step) AS first_step, ${VALUE_AT_FIRST_STEP} AS first_value,
         max(step) AS last_step, ${VALUE_AT_LAST_STEP} AS last_value
  FROM ${src} GROUP BY 1, 2`;

const ROLLUP_COLUMNS = "metric_id, block, count, non_nan, sum, min, max, first_step, first_value, last_step, last_value";

/**
 * Writes a batch of points in one transaction of set-based statements: the series rows;
 * then, in one statement, every point (same run, name and step replaces), the series
 * summaries, the rollup blocks of series that only gained points, and the run's max step;
 * series with overwritten points are recounted from their points after. Nothing of a
 * batch is written unless all of it is.
 */
export async function logMetrics(
  sql: Sql,
  organizationId: number,
  input: { runId: number; points: readonly MetricPointInput[] },
): Promise<LogMetricsResult> {
  validatePoints(input.points);
  const points = lastOfEachStep(input.points);
  const names = [...new Set(points.map((p) => p.name))];
  const maxStep = points.reduce((m, p) => Math.max(m, p.step), 0);
  // Two batches of one run touching several series in different orders can deadlock; a
  // retry after a lost race (a unique violation of the append path) upserts.
  const accepted = await retryingConflicts((attempt) =>
    sql.transaction((tx) => writeBatch(tx, organizationId, input.runId, points, names, maxStep, attempt > 0)),
  );
  return { accepted, names, maxStep };
}

async function writeBatch(
  tx: Sql,
  organizationId: number,
  runId: number,
  points: MetricPointInput[],
  names: string[],
  maxStep: number,
  upsert: boolean,
) {
  // The series of this run, created on first use; a series a concurrent batch is creating
  // is waited for by ON CONFLICT and read by the second statement.
  const series = await tx.query<{ run_id: number | null; id: number | null; name: string | null; last_step: string | null }>(
    `WITH run AS (SELECT id FROM runs WHERE id = $1 AND organization_id = $2),
     ins AS (
       INSERT INTO metrics (run_id, name) SELECT run.id, n FROM run, unnest($3::text[]) AS n
       ON CONFLICT (run_id, name) DO NOTHING RETURNING id, name
     )
     SELECT (SELECT id FROM run) AS run_id, NULL::int AS id, NULL::text AS name, NULL::text AS last_step
     UNION ALL SELECT NULL, id, name, NULL FROM ins
     UNION ALL SELECT NULL, m.id, m.name, m.last_step::text FROM metrics m, run WHERE m.run_id = run.id AND m.name = ANY($3::text[])`,
    [runId, organizationId, names],
    "ingest_series",
  );
  if (series[0]?.run_id == null) throw new NotFoundError(`Run ${runId} not found.`, "Run");
  if (points.length === 0) return 0;
  const idOf = new Map(series.slice(1).map((s) => [s.name!, s.id!]));
  if (idOf.size < names.length) {
    const rows = await tx.query<{ id: number; name: string }>(`SELECT id, name FROM metrics WHERE run_id = $1 AND name = ANY($2::text[])`, [runId, names]);
    for (const r of rows) idOf.set(r.name, r.id);
    upsert = true; // a concurrent batch is writing these series
  }
  // A batch that only goes past each series' last step (a training loop's) cannot overwrite:
  // a plain insert skips the conflict checks, which cost more than the insert.
  if (!upsert) {
    const lastStep = new Map(series.slice(1).map((s) => [s.name!, s.last_step == null ? -1 : Number(s.last_step)]));
    upsert = points.some((p) => p.step <= (lastStep.get(p.name) ?? -1));
  }

  const rewritten = await tx.query<{ metric_id: number }>(
    `WITH ins AS (
       INSERT INTO metric_points (metric_id, step, value, time)
       SELECT m, s, v, COALESCE(t, $5::timestamptz) FROM unnest($1::int[], $2::bigint[], $3::float8[], $4::timestamptz[]) AS u(m, s, v, t)
       ${upsert ? "ON CONFLICT (metric_id, step) DO UPDATE SET value = EXCLUDED.value, time = EXCLUDED.time" : ""}
       RETURNING metric_id, step, value, (xmax = 0) AS inserted
     ), agg AS (
       SELECT metric_id, bool_and(inserted) AS all_new, count(*) AS n,
              min(value) FILTER (WHERE value <> 'NaN') AS mn, max(value) FILTER (WHERE value <> 'NaN') AS mx,
              max(step) AS last_step, ${VALUE_AT_LAST_STEP} AS last_value
       FROM ins GROUP BY metric_id
     ), summaries AS (
       UPDATE metrics m SET count = m.count + a.n, min = LEAST(m.min, a.mn), max = GREATEST(m.max, a.mx),
         last_value = CASE WHEN m.last_step IS NULL OR a.last_step >= m.last_step THEN a.last_value ELSE m.last_value END,
         last_step = GREATEST(m.last_step, a.last_step)
       FROM agg a WHERE m.id = a.metric_id AND a.all_new
     ), rollups AS (
       -- Blocks that only gained points: merge the new points' aggregates into the block's.
       INSERT INTO metric_rollups (${ROLLUP_COLUMNS})
       ${blockAggregates("ins WHERE metric_id IN (SELECT metric_id FROM agg WHERE all_new)")}
       ON CONFLICT (metric_id, block) DO UPDATE SET
         count = metric_rollups.count + EXCLUDED.count, non_nan = metric_rollups.non_nan + EXCLUDED.non_nan,
         sum = CASE WHEN metric_rollups.sum IS NULL THEN EXCLUDED.sum WHEN EXCLUDED.sum IS NULL THEN metric_rollups.sum
                    ELSE metric_rollups.sum + EXCLUDED.sum END,
         min = LEAST(metric_rollups.min, EXCLUDED.min), max = GREATEST(metric_rollups.max, EXCLUDED.max),
         first_value = CASE WHEN EXCLUDED.first_step < metric_rollups.first_step THEN EXCLUDED.first_value ELSE metric_rollups.first_value END,
         first_step = LEAST(metric_rollups.first_step, EXCLUDED.first_step),
         last_value = CASE WHEN EXCLUDED.last_step > metric_rollups.last_step THEN EXCLUDED.last_value ELSE metric_rollups.last_value END,
         last_step = GREATEST(metric_rollups.last_step, EXCLUDED.last_step)
     ), run AS (
       UPDATE runs SET max_step = GREATEST(max_step, $6::bigint), last_logged_at = now() WHERE id = $7
     )
     SELECT metric_id FROM agg WHERE NOT all_new`,
    [
      literal(points.map((p) => idOf.get(p.name)!)),
      literal(points.map((p) => p.step)),
      literal(points.map((p) => String(p.value))),
      timesLiteral(points),
      new Date().toISOString(),
      String(maxStep),
      runId,
    ],
    upsert ? "ingest_points_upsert" : "ingest_points_append",
  );

  // Overwritten points can take away a min, a max, a first or a last value: recount those
  // series, and the blocks the batch touched in them, from their points.
  if (rewritten.length > 0) {
    const ids = rewritten.map((r) => r.metric_id);
    await tx.query(
      `UPDATE metrics m SET count = s.n, min = s.mn, max = s.mx, last_step = s.ls,
         last_value = (SELECT value FROM metric_points WHERE metric_id = m.id ORDER BY step DESC LIMIT 1)
       FROM (SELECT metric_id, count(*) AS n, min(value) FILTER (WHERE value <> 'NaN') AS mn,
                    max(value) FILTER (WHERE value <> 'NaN') AS mx, max(step) AS ls
             FROM metric_points WHERE metric_id = ANY($1::int[]) GROUP BY metric_id) s
       WHERE m.id = s.metric_id`,
      [literal(ids)],
    );
    const redo = new Set(ids);
    const touched = new Map<string, [number, number]>();
    for (const p of points) {
      const id = idOf.get(p.name)!;
      const block = Math.floor(p.step / B);
      if (redo.has(id)) touched.set(`${id}:${block}`, [id, block]);
    }
    const blocks = [...touched.values()];
    await tx.query(
      `INSERT INTO metric_rollups (${ROLLUP_COLUMNS})
       ${blockAggregates(`(SELECT p.metric_id, p.step, p.value FROM unnest($1::int[], $2::bigint[]) AS t(metric_id, block)
          JOIN metric_points p ON p.metric_id = t.metric_id AND p.step >= t.block * ${B} AND p.step < (t.block + 1) * ${B}) AS pts`)}
       ON CONFLICT (metric_id, block) DO UPDATE SET count = EXCLUDED.count, non_nan = EXCLUDED.non_nan, sum = EXCLUDED.sum,
         min = EXCLUDED.min, max = EXCLUDED.max, first_step = EXCLUDED.first_step, first_value = EXCLUDED.first_value,
         last_step = EXCLUDED.last_step, last_value = EXCLUDED.last_value`,
      [literal(blocks.map(([m]) => m)), literal(blocks.map(([, b]) => b))],
    );
  }
  return points.length;
}
