import { Prisma } from "../generated/prisma/client.js";
import { queryTemplate, type Sql } from "../db/sql.js";
import type { Db } from "./db.js";
import { LIMITS } from "./limits.js";
import { loadChain, readSegments, type LineageNode, type Segment } from "./lineage.js";
import { logGroupOf } from "./log-names.js";

// Reads over effective histories (run-model.md, "Metrics"): a fork sees its ancestors'
// points up to each fork step, by reference. Values travel as float8 text so NaN and
// ±Infinity survive every driver.

export interface HistoryPoint {
  runId: number;
  step: number;
  value: number;
  time: Date;
}

export interface MetricSummary {
  name: string;
  count: number;
  min: number | null;
  max: number | null;
  last: number | null;
  lastStep: number | null;
}

export interface HistoryWindow {
  fromStep?: number | null;
  toStep?: number | null;
  /** Only points with a step greater than this (cursor). */
  afterStep?: number | null;
  ownOnly?: boolean | null;
}

const num = (v: unknown): number => Number(v);
const float = (v: string | null): number | null => (v == null ? null : Number(v));

/**
 * Where a read finds a run's chain: a request's batched loader (several reads of one run,
 * or of a page of runs, share one statement), or else a statement of its own.
 */
export type ChainOf = (runId: number) => Promise<LineageNode[]>;

/** The segments to read for a run, clipped to the window; [] when the run is not the organization's. */
async function segmentsFor(db: Db, organizationId: number, runId: number, w: HistoryWindow, chainOf?: ChainOf): Promise<Segment[]> {
  return clippedSegments(await (chainOf ? chainOf(runId) : loadChain(db, organizationId, runId)), w);
}

function clippedSegments(chain: LineageNode[], w: HistoryWindow): Segment[] {
  if (chain.length === 0) return [];
  const lo = Math.max(w.fromStep == null ? -1 : w.fromStep - 1, w.afterStep ?? -1);
  const hi = w.toStep ?? Number.MAX_SAFE_INTEGER;
  return readSegments(chain, w.ownOnly)
    .map((s) => ({ runId: s.runId, lo: Math.max(s.lo, lo), hi: Math.min(s.hi, hi) }))
    .filter((s) => s.lo < s.hi);
}

/** The points of one metric over the given segments, one index range scan per segment. */
function segmentUnion(segments: Segment[], name: string, limit?: number): Prisma.Sql {
  const parts = segments.map(
    (s) => Prisma.sql`(SELECT m.run_id, p.step, p.value, p.time
      FROM metric_points p JOIN metrics m ON m.id = p.metric_id
      WHERE m.run_id = ${s.runId} AND m.name = ${name}
        AND p.step > ${String(s.lo)}::bigint AND p.step <= ${String(s.hi)}::bigint
      ${limit == null ? Prisma.empty : Prisma.sql`ORDER BY p.step LIMIT ${limit}`})`,
  );
  return Prisma.join(parts, " UNION ALL ");
}

export async function metricHistory(
  db: Db,
  organizationId: number,
  runId: number,
  name: string,
  w: HistoryWindow & { limit: number },
  chainOf?: ChainOf,
): Promise<{ points: HistoryPoint[]; hasMore: boolean }> {
  const segments = await segmentsFor(db, organizationId, runId, w, chainOf);
  if (segments.length === 0) return { points: [], hasMore: false };
  const take = w.limit + 1;
  // Segments are disjoint and ascending, so each contributes at most `take` rows.
  const rows = await db.$queryRaw<{ run_id: number; step: bigint; value: string; time: Date }[]>`
    SELECT run_id, step, value::text AS value, time FROM (${segmentUnion(segments, name, take)}) u ORDER BY step LIMIT ${take}`;
  const points = rows.slice(0, w.limit).map((r) => ({ runId: r.run_id, step: num(r.step), value: Number(r.value), time: new Date(r.time) }));
  return { points, hasMore: rows.length > w.limit };
}

/**
 * A run's metrics over its effective history, by name or group (`logGroupOf`), at most
 * `limit` points in all: each metric keeps every k-th point by step, first point included.
 * Evenly spaced rather than randomly sampled, so the same request gives the same answer.
 * The lineage is read once for every metric.
 */
export async function sampledRunMetrics(
  db: Db,
  organizationId: number,
  runId: number,
  opts: { name?: string; group?: string; limit: number },
): Promise<{ name: string; points: HistoryPoint[] }[]> {
  const chain = await loadChain(db, organizationId, runId);
  if (chain.length === 0) return [];
  const segments = clippedSegments(chain, {});
  const all = opts.name
    ? [opts.name]
    : (await db.$queryRaw<{ name: string }[]>`
        SELECT DISTINCT name FROM metrics WHERE run_id = ANY(${chain.map((c) => c.id)}::int[]) ORDER BY name`).map((r) => r.name);
  const names = all.filter((n) => opts.group === undefined || logGroupOf(n) === opts.group).slice(0, opts.limit);
  const share = Math.max(1, Math.floor(opts.limit / Math.max(1, names.length)));
  const out = [];
  for (const name of names) {
    const rows = await db.$queryRaw<{ run_id: number; step: bigint; value: string; time: Date }[]>`
      SELECT run_id, step, value::text AS value, time FROM (
        SELECT u.*, row_number() OVER (ORDER BY step) AS rn, count(*) OVER () AS n FROM (${segmentUnion(segments, name)}) u
      ) s
      WHERE (rn - 1) % ceil(n::numeric / ${share})::bigint = 0 ORDER BY step`;
    out.push({ name, points: rows.map((r) => ({ runId: r.run_id, step: num(r.step), value: Number(r.value), time: new Date(r.time) })) });
  }
  return out;
}

/** How many points of the metric fall in the window (cursor excluded). */
export async function metricPointCount(db: Db, organizationId: number, runId: number, name: string, w: HistoryWindow, chainOf?: ChainOf): Promise<number> {
  const segments = await segmentsFor(db, organizationId, runId, { ...w, afterStep: null }, chainOf);
  if (segments.length === 0) return 0;
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (${segmentUnion(segments, name)}) u`;
  return num(row?.n ?? 0);
}

export interface MetricBucket {
  fromStep: number;
  toStep: number;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  first: number;
  last: number;
  lastStep: number;
}

export const MAX_BUCKETS = 10_000;

/**
 * The effective history cut into at most `count` buckets of equal step width over
 * [fromStep, toStep] (default: the steps present). Empty buckets are left out; NaN is
 * ignored by min, max and mean, and kept by first and last.
 *
 * Whole rollup blocks (LIMITS.rollupBlock steps) that fall inside one bucket and one
 * segment are read from metric_rollups; only the rest (window edges, blocks a bucket
 * boundary or a fork step cuts) is read point by point. Widths above a block are rounded
 * up to whole blocks, and a default start is aligned to a block, so an overview reads
 * almost nothing but rollups.
 */
export async function metricBuckets(
  db: Db,
  sql: Sql,
  organizationId: number,
  runId: number,
  name: string,
  opts: { count: number; fromStep?: number | null; toStep?: number | null; ownOnly?: boolean | null },
  chainOf?: ChainOf,
): Promise<MetricBucket[]> {
  const B = LIMITS.rollupBlock;
  const all = await segmentsFor(db, organizationId, runId, opts, chainOf);
  // The series ids first: literal ids let every range below use the (metric_id, step) index.
  const series = await db.$queryRaw<{ id: number; run_id: number }[]>`
    SELECT id, run_id FROM metrics WHERE run_id = ANY(${all.map((s) => s.runId)}::int[]) AND name = ${name}`;
  const seriesOf = new Map(series.map((m) => [m.run_id, m.id]));
  const segments = all.filter((s) => seriesOf.has(s.runId));
  if (segments.length === 0) return [];
  let from = opts.fromStep;
  let to = opts.toStep;
  if (from == null || to == null) {
    const bounds = segments.map(
      (s) => Prisma.sql`(SELECT min(p.step) AS lo, max(p.step) AS hi FROM metric_points p
        WHERE p.metric_id = ${seriesOf.get(s.runId)!} AND p.step > ${String(s.lo)}::bigint AND p.step <= ${String(s.hi)}::bigint)`,
    );
    const [range] = await db.$queryRaw<{ lo: bigint | null; hi: bigint | null }[]>`
      SELECT min(lo) AS lo, max(hi) AS hi FROM (${Prisma.join(bounds, " UNION ALL ")}) u`;
    if (range?.lo == null || range.hi == null) return [];
    to ??= num(range.hi);
    if (from == null) {
      from = num(range.lo);
      // Wide buckets: start on a block so that whole blocks fall inside buckets.
      if (Math.ceil((to - from + 1) / opts.count) > B) from = Math.floor(from / B) * B;
    }
  }
  if (to < from) return [];
  let width = Math.max(1, Math.ceil((to - from + 1) / opts.count));
  if (width > B) width = Math.ceil(width / B) * B;
  const bucketOf = (step: number) => Math.floor((step - from!) / width);

  const parts: Prisma.Sql[] = [];
  for (const s of segments) {
    const a = Math.max(s.lo + 1, from);
    const b = Math.min(s.hi, to);
    if (a > b) continue;
    const metricId = seriesOf.get(s.runId)!;
    const kLo = Math.ceil(a / B);
    const kHi = Math.floor((b + 1) / B) - 1;
    const rawRanges: [number, number][] = [];
    const straddlers: number[] = [];
    if (kLo > kHi) {
      rawRanges.push([a, b]);
    } else {
      if (a <= kLo * B - 1) rawRanges.push([a, kLo * B - 1]);
      if ((kHi + 1) * B <= b) rawRanges.push([(kHi + 1) * B, b]);
      // A block that a bucket boundary cuts is read point by point.
      for (let x = from + width; x <= (kHi + 1) * B - 1; x += width) {
        const k = Math.floor(x / B);
        if (x % B !== 0 && k >= kLo && bucketOf(k * B) !== bucketOf(k * B + B - 1)) {
          if (straddlers.at(-1) !== k) straddlers.push(k);
        }
      }
      for (const k of straddlers) rawRanges.push([k * B, k * B + B - 1]);
      parts.push(Prisma.sql`(SELECT (r.block * ${B} - ${String(from)}::bigint) / ${String(width)}::bigint AS b,
          r.count::bigint AS n, r.non_nan::bigint AS nn, r.sum AS s, r.min AS mn, r.max AS mx,
          ARRAY[r.first_step::float8, r.first_value] AS f, ARRAY[r.last_step::float8, r.last_value] AS l
        FROM metric_rollups r
        WHERE r.metric_id = ${metricId} AND r.block >= ${String(kLo)}::bigint AND r.block <= ${String(kHi)}::bigint
          AND NOT (r.block = ANY(${straddlers.map(String)}::bigint[])))`);
    }
    // LATERAL: one index range scan per range, whatever the planner's row estimates (they
    // lag behind bulk ingest and would otherwise pick a scan of the whole series).
    // Points are summed per bucket here, so the outer aggregate sees a row per bucket and
    // part. First and last are min and max of [step, value] pairs: no sort per bucket.
    parts.push(Prisma.sql`(SELECT (p.step - ${String(from)}::bigint) / ${String(width)}::bigint AS b,
        count(*) AS n, count(*) FILTER (WHERE p.value <> 'NaN') AS nn, sum(p.value) FILTER (WHERE p.value <> 'NaN') AS s,
        min(p.value) FILTER (WHERE p.value <> 'NaN') AS mn, max(p.value) FILTER (WHERE p.value <> 'NaN') AS mx,
        min(ARRAY[p.step::float8, p.value]) AS f, max(ARRAY[p.step::float8, p.value]) AS l
      FROM unnest(${rawRanges.map(([lo]) => String(lo))}::bigint[], ${rawRanges.map(([, hi]) => String(hi))}::bigint[]) AS rr(lo, hi)
      CROSS JOIN LATERAL (SELECT step, value FROM metric_points
        WHERE metric_id = ${metricId} AND step >= rr.lo AND step <= rr.hi OFFSET 0) p
      GROUP BY 1)`);
  }
  if (parts.length === 0) return [];
  // Up to a row per bucket: through the plain driver, which reads them several ms faster.
  const query = Prisma.sql`
    SELECT b, sum(n) AS n, min(mn)::text AS mn, max(mx)::text AS mx, (sum(s) / NULLIF(sum(nn), 0))::text AS mean,
           ((min(f))[2])::text AS first, ((max(l))[2])::text AS last, ((max(l))[1])::bigint AS ls
    FROM (${Prisma.join(parts, " UNION ALL ")}) u
    GROUP BY b ORDER BY b`;
  const rows = await sql.query<
    { b: bigint | string; n: bigint | string; mn: string | null; mx: string | null; mean: string | null; first: string; last: string; ls: bigint | string }
  >(query.text, query.values);
  return rows.map((r) => {
    const start = from! + num(r.b) * width;
    return {
      fromStep: start,
      toStep: Math.min(start + width - 1, to!),
      count: num(r.n),
      min: float(r.mn),
      max: float(r.mx),
      mean: float(r.mean),
      first: Number(r.first),
      last: Number(r.last),
      lastStep: num(r.ls),
    };
  });
}

/**
 * Summaries over the effective histories of several runs (a run list, a comparison chart,
 * a run list sorted by a metric), one per metric name (or only `names`), in one statement
 * whatever the number of runs. The statement cuts each run's chain into segments itself
 * (`effectiveSegments` in SQL: a run's part runs from its fork step to the next fork step
 * down the chain) and drops the empty ones, which are most of a deep chain forked at one
 * step. A segment that covers all of a run's own points reads the summary kept at ingest;
 * others read the rollup of every block whose points all lie inside, and the points of
 * the (at most two) edge blocks whose points the cut divides. Every table is reached by
 * index from the segments (the LATERALs, kept apart by OFFSET 0): a hash join would read
 * the whole metrics and rollups tables.
 */
export async function metricSummariesOfRuns(
  db: Db | Sql,
  organizationId: number,
  runIds: readonly number[],
  opts: { names?: string[]; ownOnly?: boolean | null } = {},
): Promise<Map<number, MetricSummary[]>> {
  if (runIds.length === 0) return summariesByRun(runIds, []);
  const B = LIMITS.rollupBlock;
  const own = opts.ownOnly === true;
  const nameFilter = opts.names ? Prisma.sql`AND m.name = ANY(${opts.names}::text[])` : Prisma.empty;
  const rows = await queryTemplate<SummaryRow>(db, Prisma.sql`
    WITH chain AS (
      SELECT self.id AS target, r.id AS run_id, r.max_step, r.fork_depth,
             CASE WHEN ${own}::bool THEN -1 ELSE coalesce(r.fork_step, -1) END AS lo,
             coalesce(lead(r.fork_step) OVER (PARTITION BY self.id ORDER BY r.fork_depth), ${String(Number.MAX_SAFE_INTEGER)}::bigint) AS hi
      FROM runs self JOIN runs r ON r.id = self.id OR (NOT ${own}::bool AND r.id = ANY(self.ancestor_ids))
      WHERE self.id = ANY(${[...runIds]}::int[]) AND self.organization_id = ${organizationId}
    ),
    seg AS (
      SELECT target, run_id, lo < 0 AND (max_step IS NULL OR hi >= max_step) AS whole, lo + 1 AS a, hi AS b
      FROM chain WHERE lo < hi
    ),
    sm AS (
      SELECT s.target, s.whole, s.a, s.b, s.a / ${B} AS ba, s.b / ${B} AS bb,
             m.id AS metric_id, m.name, m.count, m.min, m.max, m.last_step, m.last_value
      FROM seg s CROSS JOIN LATERAL (SELECT * FROM metrics m WHERE m.run_id = s.run_id AND m.count > 0 ${nameFilter} OFFSET 0) m
    ),
    parts AS (
      SELECT target, name, count::bigint AS n, min AS mn, max AS mx, last_step AS ls, last_value AS lv FROM sm WHERE whole
      UNION ALL
      -- Blocks whose points all lie in the segment: every inner block, and an edge block
      -- when the cut misses its points (a fork's own block after its fork step).
      SELECT sm.target, sm.name, r.count::bigint, r.min, r.max, r.last_step, r.last_value
      FROM sm CROSS JOIN LATERAL (SELECT * FROM metric_rollups r
        WHERE r.metric_id = sm.metric_id AND r.block >= sm.ba AND r.block <= sm.bb AND r.first_step >= sm.a AND r.last_step <= sm.b
        OFFSET 0) r
      WHERE NOT sm.whole
      UNION ALL
      -- The edge blocks the cut goes through: their points inside the segment.
      SELECT sm.target, sm.name, 1::bigint, CASE WHEN p.value <> 'NaN' THEN p.value END, CASE WHEN p.value <> 'NaN' THEN p.value END, p.step, p.value
      FROM sm CROSS JOIN LATERAL (
        SELECT * FROM (VALUES (1, sm.ba, sm.a, LEAST(sm.b, (sm.ba + 1) * ${B} - 1)), (2, sm.bb, GREATEST(sm.a, sm.bb * ${B}), sm.b)) AS e(i, blk, lo, hi)
        WHERE (e.i = 1 OR sm.bb <> sm.ba)
          AND NOT EXISTS (SELECT 1 FROM metric_rollups r
            WHERE r.metric_id = sm.metric_id AND r.block = e.blk AND r.first_step >= sm.a AND r.last_step <= sm.b)
        OFFSET 0) e
      CROSS JOIN LATERAL (SELECT step, value FROM metric_points
        WHERE metric_id = sm.metric_id AND step >= e.lo AND step <= e.hi OFFSET 0) p
      WHERE NOT sm.whole
    )
    SELECT target, name, sum(n) AS n, min(mn)::text AS mn, max(mx)::text AS mx,
           ((max(ARRAY[ls::float8, lv]))[1])::bigint AS ls, ((max(ARRAY[ls::float8, lv]))[2])::text AS lv
    FROM parts GROUP BY target, name`);
  return summariesByRun(runIds, rows);
}

/** A summary row of either statement below: the run it is for, and its aggregates as text. */
type SummaryRow = { target: number; name: string; n: bigint | string | number; mn: string | null; mx: string | null; ls: bigint | string; lv: string };

/** Every run's summaries, sorted by name; runs with none get []. */
function summariesByRun(runIds: readonly number[], rows: readonly SummaryRow[]): Map<number, MetricSummary[]> {
  const out = new Map<number, MetricSummary[]>(runIds.map((id) => [id, []]));
  for (const r of rows) {
    out.get(r.target)!.push({ name: r.name, count: num(r.n), min: float(r.mn), max: float(r.mx), last: float(r.lv), lastStep: num(r.ls) });
  }
  for (const list of out.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

/**
 * metricSummariesOfRuns for runs known to be roots (fork depth 0), in one statement
 * without their chains: a root's effective history is its own points, whose summary
 * ingest keeps. For long run lists, where most runs are roots.
 */
export async function metricSummariesOfRoots(
  db: Db | Sql,
  organizationId: number,
  runIds: readonly number[],
  names: string[],
): Promise<Map<number, MetricSummary[]>> {
  const rows = await queryTemplate<SummaryRow>(
    db,
    Prisma.sql`SELECT m.run_id AS target, m.name, m.count AS n, m.min::text AS mn, m.max::text AS mx, m.last_step AS ls, m.last_value::text AS lv
      FROM runs r JOIN metrics m ON m.run_id = r.id
      WHERE r.id = ANY(${[...runIds]}::int[]) AND r.organization_id = ${organizationId} AND r.fork_depth = 0
        AND m.name = ANY(${names}::text[]) AND m.count > 0`,
  );
  return summariesByRun(runIds, rows);
}
