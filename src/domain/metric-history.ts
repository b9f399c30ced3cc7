import { Prisma } from "../generated/prisma/client.js";
import { queryTemplate, sqlOf, type Sql } from "../db/sql.js";
import type { Db } from "./db.js";
import { LIMITS } from "./limits.js";
import { loadChain, readSegments, type LineageNode, type Segment } from "./lineage.js";
import { logGroupOf } from "./log-names.js";

// Reads over effective histories (run-model.md, "Metrics"): a fork sees its ancestors'
// points up to each fork step, by reference. Values travel as float8 text so NaN and
// ±Infinity survive every driver.
//
// Every statement here has one fixed text, whatever the chain's depth: segments travel as
// parallel arrays (unnest … CROSS JOIN LATERAL), so on PostgreSQL each is a named prepared
// statement, parsed and planned once per connection. Planning the per-chain texts they
// replace took more of the database's time than running them.

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
  /** First and last step of the history (NaN points included). */
  firstStep: number | null;
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
async function segmentsFor(db: Db | Sql, organizationId: number, runId: number, w: HistoryWindow, chainOf?: ChainOf): Promise<Segment[]> {
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

/** Rows as the parallel arrays a statement unnests, one per column. */
const columns = (rows: readonly (readonly unknown[])[], width: number) => Array.from({ length: width }, (_, c) => rows.map((r) => r[c]));

/** Segments as the statements' parallel array parameters: run ids, lo, hi (int8 as text). */
const segmentArrays = (segments: readonly Segment[]) => columns(segments.map((s) => [s.runId, String(s.lo), String(s.hi)]), 3);

/**
 * The points of one metric ($4) over the segments ($1–$3), one index range scan per
 * segment, each cut to `$5` points when a limit is given. A fragment of the statements below.
 */
const SEGMENT_POINTS = `unnest($1::int[], $2::bigint[], $3::bigint[]) AS seg(run_id, lo, hi)
  CROSS JOIN LATERAL (SELECT m.run_id, p.step, p.value, p.time
    FROM metrics m JOIN metric_points p ON p.metric_id = m.id
    WHERE m.run_id = seg.run_id AND m.name = $4 AND p.step > seg.lo AND p.step <= seg.hi
    ORDER BY p.step LIMIT $5) u`;

type PointRow = { run_id: number; step: bigint | string; value: string; time: Date | string };
const pointOf = (r: PointRow): HistoryPoint => ({ runId: r.run_id, step: num(r.step), value: Number(r.value), time: new Date(r.time) });

export async function metricHistory(
  db: Db | Sql,
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
  const rows = await sqlOf(db).query<PointRow>(
    `SELECT u.run_id, u.step::text AS step, u.value::text AS value, u.time FROM ${SEGMENT_POINTS} ORDER BY u.step LIMIT $5`,
    [...segmentArrays(segments), name, take],
    "metric_history_page",
  );
  return { points: rows.slice(0, w.limit).map(pointOf), hasMore: rows.length > w.limit };
}

/**
 * A run's metrics over its effective history, by name or group (`logGroupOf`), at most
 * `limit` points in all: each metric keeps every k-th point by step, first point included.
 * Evenly spaced rather than randomly sampled, so the same request gives the same answer.
 * The lineage is read once for every metric.
 */
export async function sampledRunMetrics(
  db: Db | Sql,
  organizationId: number,
  runId: number,
  opts: { name?: string; group?: string; limit: number },
): Promise<{ name: string; points: HistoryPoint[] }[]> {
  const sql = sqlOf(db);
  const chain = await loadChain(sql, organizationId, runId);
  if (chain.length === 0) return [];
  const segments = segmentArrays(clippedSegments(chain, {}));
  const all = opts.name
    ? [opts.name]
    : (await sql.query<{ name: string }>("SELECT DISTINCT name FROM metrics WHERE run_id = ANY($1::int[]) ORDER BY name", [chain.map((c) => c.id)])).map(
        (r) => r.name,
      );
  const names = all.filter((n) => opts.group === undefined || logGroupOf(n) === opts.group).slice(0, opts.limit);
  const share = Math.max(1, Math.floor(opts.limit / Math.max(1, names.length)));
  const out = [];
  for (const name of names) {
    const rows = await sql.query<PointRow>(
      `SELECT run_id, step::text AS step, value::text AS value, time FROM (
         SELECT u.*, row_number() OVER (ORDER BY u.step) AS rn, count(*) OVER () AS n FROM ${SEGMENT_POINTS}
       ) s
       WHERE (rn - 1) % ceil(n::numeric / $6)::bigint = 0 ORDER BY step`,
      [...segments, name, null, share],
      "metric_history_sampled",
    );
    out.push({ name, points: rows.map(pointOf) });
  }
  return out;
}

/** How many points of the metric fall in the window (cursor excluded). */
export async function metricPointCount(db: Db | Sql, organizationId: number, runId: number, name: string, w: HistoryWindow, chainOf?: ChainOf): Promise<number> {
  const segments = await segmentsFor(db, organizationId, runId, { ...w, afterStep: null }, chainOf);
  if (segments.length === 0) return 0;
  const [row] = await sqlOf(db).query<{ n: string }>(`SELECT count(*)::text AS n FROM ${SEGMENT_POINTS}`, [...segmentArrays(segments), name, null], "metric_point_count");
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

/** One buckets read: a run's metric, cut as `metricBuckets` says. */
export interface BucketsRequest {
  runId: number;
  name: string;
  count: number;
  fromStep?: number | null;
  toStep?: number | null;
  ownOnly?: boolean | null;
  /** The effective history's first and last step, when the caller holds its summary. */
  known?: { firstStep: number | null; lastStep: number | null };
}

/** What one request reads: its bucket grid, and (run id, lo, hi) ranges of rollup blocks and of points. */
interface BucketPlan {
  start: number;
  end: number;
  width: number;
  blocks: [number, number, number][];
  points: [number, number, number][];
}

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
 *
 * Any number of requests (a run list's sparklines, a comparison chart) take one statement,
 * or two when some window must first be found in the points (ownOnly, or no summary known).
 */
export async function metricBuckets(
  db: Db | Sql,
  organizationId: number,
  requests: readonly BucketsRequest[],
  chainOf?: ChainOf,
): Promise<MetricBucket[][]> {
  const sql = sqlOf(db);
  const segments = await Promise.all(requests.map((r) => segmentsFor(sql, organizationId, r.runId, r, chainOf)));
  const windows = requests.map((r) => ({
    from: r.fromStep ?? (r.ownOnly ? null : r.known?.firstStep) ?? null,
    to: r.toStep ?? (r.ownOnly ? null : r.known?.lastStep) ?? null,
  }));
  const open = requests.map((_, i) => i).filter((i) => segments[i]!.length > 0 && (windows[i]!.from == null || windows[i]!.to == null));
  const found = await windowBounds(sql, open.map((i) => ({ segments: segments[i]!, name: requests[i]!.name })));
  open.forEach((i, k) => {
    const w = windows[i]!;
    w.to ??= found[k]?.hi ?? null;
    w.from ??= found[k]?.lo ?? null;
  });
  const plans = requests.map((r, i) => {
    const { from, to } = windows[i]!;
    if (segments[i]!.length === 0 || from == null || to == null) return null;
    // Wide buckets from a start the request did not give: start on a block so that whole
    // blocks fall inside buckets.
    const start = r.fromStep == null && Math.ceil((to - from + 1) / r.count) > LIMITS.rollupBlock ? Math.floor(from / LIMITS.rollupBlock) * LIMITS.rollupBlock : from;
    return to < start ? null : planBuckets(segments[i]!, start, to, r.count);
  });
  return readBuckets(sql, plans, requests.map((r) => r.name));
}

/** The first and last step present in each set of segments of a metric, in one statement. */
async function windowBounds(sql: Sql, sets: { segments: Segment[]; name: string }[]): Promise<({ lo: number; hi: number } | undefined)[]> {
  if (sets.length === 0) return [];
  const rows = await sql.query<{ i: number; lo: string | null; hi: string | null }>(
    `SELECT seg.i, min(b.lo)::text AS lo, max(b.hi)::text AS hi
     FROM unnest($1::int[], $2::int[], $3::bigint[], $4::bigint[], $5::text[]) AS seg(i, run_id, lo, hi, name)
     JOIN metrics m ON m.run_id = seg.run_id AND m.name = seg.name
     CROSS JOIN LATERAL (SELECT min(p.step) AS lo, max(p.step) AS hi FROM metric_points p
       WHERE p.metric_id = m.id AND p.step > seg.lo AND p.step <= seg.hi) b
     GROUP BY seg.i`,
    columns(sets.flatMap((set, i) => set.segments.map((s) => [i, s.runId, String(s.lo), String(s.hi), set.name])), 5),
    "metric_window_bounds",
  );
  const out: ({ lo: number; hi: number } | undefined)[] = sets.map(() => undefined);
  for (const r of rows) if (r.lo != null && r.hi != null) out[r.i] = { lo: num(r.lo), hi: num(r.hi) };
  return out;
}

/** The ranges one request reads, given its bucket grid. */
function planBuckets(segments: readonly Segment[], start: number, end: number, count: number): BucketPlan {
  const B = LIMITS.rollupBlock;
  let width = Math.max(1, Math.ceil((end - start + 1) / count));
  if (width > B) width = Math.ceil(width / B) * B;
  const bucketOf = (step: number) => Math.floor((step - start) / width);
  const blocks: [number, number, number][] = [];
  const points: [number, number, number][] = [];
  for (const s of segments) {
    const a = Math.max(s.lo + 1, start);
    const b = Math.min(s.hi, end);
    if (a > b) continue;
    const kLo = Math.ceil(a / B);
    const kHi = Math.floor((b + 1) / B) - 1;
    if (kLo > kHi) {
      points.push([s.runId, a, b]);
      continue;
    }
    if (a <= kLo * B - 1) points.push([s.runId, a, kLo * B - 1]);
    if ((kHi + 1) * B <= b) points.push([s.runId, (kHi + 1) * B, b]);
    // A block that a bucket boundary cuts is read point by point; the blocks between such
    // blocks are read from their rollups.
    let next = kLo;
    for (let x = start + width; x <= (kHi + 1) * B - 1; x += width) {
      const k = Math.floor(x / B);
      if (x % B !== 0 && k >= next && bucketOf(k * B) !== bucketOf(k * B + B - 1)) {
        if (k > next) blocks.push([s.runId, next, k - 1]);
        points.push([s.runId, k * B, k * B + B - 1]);
        next = k + 1;
      }
    }
    if (next <= kHi) blocks.push([s.runId, next, kHi]);
  }
  return { start, end, width, blocks, points };
}

/** Every plan's buckets, in one statement; [] for a null plan (nothing to read). */
async function readBuckets(sql: Sql, plans: (BucketPlan | null)[], names: string[]): Promise<MetricBucket[][]> {
  const used = plans.map((p, i) => ({ p, i })).filter((x): x is { p: BucketPlan; i: number } => x.p !== null && x.p.blocks.length + x.p.points.length > 0);
  const out: MetricBucket[][] = plans.map(() => []);
  if (used.length === 0) return out;
  const ranges = (pick: (p: BucketPlan) => [number, number, number][]) =>
    columns(used.flatMap(({ p, i }) => pick(p).map(([runId, lo, hi]) => [i, runId, String(lo), String(hi)])), 4);
  // LATERAL: one index range scan per range, whatever the planner's row estimates (they
  // lag behind bulk ingest and would otherwise pick a scan of the whole series).
  // Points are summed per bucket first, so the outer aggregate sees a row per bucket and
  // part. First and last are min and max of [step, value] pairs: no sort per bucket.
  const rows = await sql.query<{
    i: number;
    bucket: string;
    n: string;
    mn: string | null;
    mx: string | null;
    mean: string | null;
    first: string;
    last: string;
    ls: string;
  }>(
    `WITH plan AS (SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[]) AS plan(i, start, width, name))
     SELECT i, b::text AS bucket, sum(n)::text AS n, min(mn)::text AS mn, max(mx)::text AS mx, (sum(s) / NULLIF(sum(nn), 0))::text AS mean,
            ((min(f))[2])::text AS first, ((max(l))[2])::text AS last, ((max(l))[1])::bigint::text AS ls
     FROM (
       (SELECT q.i, (r.block * $5::bigint - plan.start) / plan.width AS b,
          r.count::bigint AS n, r.non_nan::bigint AS nn, r.sum AS s, r.min AS mn, r.max AS mx,
          ARRAY[r.first_step::float8, r.first_value] AS f, ARRAY[r.last_step::float8, r.last_value] AS l
        FROM unnest($6::int[], $7::int[], $8::bigint[], $9::bigint[]) AS q(i, run_id, lo, hi)
        JOIN plan ON plan.i = q.i
        JOIN metrics m ON m.run_id = q.run_id AND m.name = plan.name
        CROSS JOIN LATERAL (SELECT * FROM metric_rollups r WHERE r.metric_id = m.id AND r.block >= q.lo AND r.block <= q.hi OFFSET 0) r)
       UNION ALL
       (SELECT q.i, (p.step - plan.start) / plan.width AS b,
          count(*) AS n, count(*) FILTER (WHERE p.value <> 'NaN') AS nn, sum(p.value) FILTER (WHERE p.value <> 'NaN') AS s,
          min(p.value) FILTER (WHERE p.value <> 'NaN') AS mn, max(p.value) FILTER (WHERE p.value <> 'NaN') AS mx,
          min(ARRAY[p.step::float8, p.value]) AS f, max(ARRAY[p.step::float8, p.value]) AS l
        FROM unnest($10::int[], $11::int[], $12::bigint[], $13::bigint[]) AS q(i, run_id, lo, hi)
        JOIN plan ON plan.i = q.i
        JOIN metrics m ON m.run_id = q.run_id AND m.name = plan.name
        CROSS JOIN LATERAL (SELECT step, value FROM metric_points WHERE metric_id = m.id AND step >= q.lo AND step <= q.hi OFFSET 0) p
        GROUP BY 1, 2)
     ) u
     GROUP BY i, b ORDER BY i, b`,
    [
      used.map(({ i }) => i),
      used.map(({ p }) => String(p.start)),
      used.map(({ p }) => String(p.width)),
      used.map(({ i }) => names[i]!),
      LIMITS.rollupBlock,
      ...ranges((p) => p.blocks),
      ...ranges((p) => p.points),
    ],
    "metric_buckets",
  );
  for (const r of rows) {
    const p = plans[r.i]!;
    const first = p.start + num(r.bucket) * p.width;
    out[r.i]!.push({
      fromStep: first,
      toStep: Math.min(first + p.width - 1, p.end),
      count: num(r.n),
      min: float(r.mn),
      max: float(r.mx),
      mean: float(r.mean),
      first: Number(r.first),
      last: Number(r.last),
      lastStep: num(r.ls),
    });
  }
  return out;
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
  const statement = effectiveSummariesStatement(Prisma.sql`${[...runIds]}::int[]`, Prisma.sql`${organizationId}`, opts);
  const rows = await queryTemplate<SummaryRow>(db, statement, "metric_summaries_of_runs");
  return summariesByRun(runIds, rows);
}

/**
 * The statement of metricSummariesOfRuns: a row per run (`target`) and metric name, for the
 * runs `runIds` (an int[] expression) of the organization `organizationId`. bench/ runs it
 * for one run inside PostGraphile's computed column, so that both servers compute the
 * nested page's summaries with the same statement.
 */
export function effectiveSummariesStatement(
  runIds: Prisma.Sql,
  organizationId: Prisma.Sql,
  opts: { names?: string[]; ownOnly?: boolean | null } = {},
): Prisma.Sql {
  const B = LIMITS.rollupBlock;
  const own = opts.ownOnly === true;
  return Prisma.sql`
    WITH chain AS (
      SELECT self.id AS target, r.id AS run_id, r.max_step, r.fork_depth,
             CASE WHEN ${own}::bool THEN -1 ELSE coalesce(r.fork_step, -1) END AS lo,
             coalesce(lead(r.fork_step) OVER (PARTITION BY self.id ORDER BY r.fork_depth), ${String(Number.MAX_SAFE_INTEGER)}::bigint) AS hi
      FROM runs self JOIN runs r ON r.id = self.id OR (NOT ${own}::bool AND r.id = ANY(self.ancestor_ids))
      WHERE self.id = ANY(${runIds}) AND self.organization_id = ${organizationId}
    ),
    seg AS (
      SELECT target, run_id, lo < 0 AND (max_step IS NULL OR hi >= max_step) AS whole, lo + 1 AS a, hi AS b
      FROM chain WHERE lo < hi
    ),
    sm AS (
      SELECT s.target, s.whole, s.a, s.b, s.a / ${B} AS ba, s.b / ${B} AS bb,
             m.id AS metric_id, m.name, m.count, m.min, m.max, m.last_step, m.last_value
      FROM seg s CROSS JOIN LATERAL (SELECT * FROM metrics m WHERE m.run_id = s.run_id AND m.count > 0
        AND (${opts.names ?? null}::text[] IS NULL OR m.name = ANY(${opts.names ?? null}::text[])) OFFSET 0) m
    ),
    parts AS (
      -- A whole series' first step is its first rollup block's (ingest keeps a block for every point).
      SELECT target, name, count::bigint AS n, min AS mn, max AS mx, last_step AS ls, last_value AS lv,
             (SELECT r.first_step FROM metric_rollups r WHERE r.metric_id = sm.metric_id ORDER BY r.block LIMIT 1) AS fs
      FROM sm WHERE whole
      UNION ALL
      -- Blocks whose points all lie in the segment: every inner block, and an edge block
      -- when the cut misses its points (a fork's own block after its fork step).
      SELECT sm.target, sm.name, r.count::bigint, r.min, r.max, r.last_step, r.last_value, r.first_step
      FROM sm CROSS JOIN LATERAL (SELECT * FROM metric_rollups r
        WHERE r.metric_id = sm.metric_id AND r.block >= sm.ba AND r.block <= sm.bb AND r.first_step >= sm.a AND r.last_step <= sm.b
        OFFSET 0) r
      WHERE NOT sm.whole
      UNION ALL
      -- The edge blocks the cut goes through: their points inside the segment.
      SELECT sm.target, sm.name, 1::bigint, CASE WHEN p.value <> 'NaN' THEN p.value END, CASE WHEN p.value <> 'NaN' THEN p.value END, p.step, p.value, p.step
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
    SELECT target, name, sum(n) AS n, min(mn)::text AS mn, max(mx)::text AS mx, min(fs)::text AS fs,
           ((max(ARRAY[ls::float8, lv]))[1])::bigint AS ls, ((max(ARRAY[ls::float8, lv]))[2])::text AS lv
    FROM parts GROUP BY target, name`;
}

/** A summary row of either statement below: the run it is for, and its aggregates as text. */
type SummaryRow = {
  target: number;
  name: string;
  n: bigint | string | number;
  mn: string | null;
  mx: string | null;
  fs: bigint | string | null;
  ls: bigint | string;
  lv: string;
};

const summaryOf = (r: Omit<SummaryRow, "target">): MetricSummary => ({
  name: r.name,
  count: num(r.n),
  min: float(r.mn),
  max: float(r.mx),
  last: float(r.lv),
  firstStep: r.fs == null ? null : num(r.fs),
  lastStep: num(r.ls),
});

const byName = (a: MetricSummary, b: MetricSummary) => a.name.localeCompare(b.name);

/** Every run's summaries, sorted by name; runs with none get []. */
function summariesByRun(runIds: readonly number[], rows: readonly SummaryRow[]): Map<number, MetricSummary[]> {
  const out = new Map<number, MetricSummary[]>(runIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.target)!.push(summaryOf(r));
  for (const list of out.values()) list.sort(byName);
  return out;
}

/**
 * An expression of one run's rows `s` of effectiveSummariesStatement as one JSON text, for a
 * statement that reads them with each run (run-list.ts): one value per run, not a row per
 * metric (see state-history.ts). Read back by summariesFrom.
 */
export const SUMMARIES_AS_JSON = "json_agg(json_build_array(s.name, s.n::text, s.mn, s.mx, s.fs, s.ls::text, s.lv))::text";

/** A run's summaries from SUMMARIES_AS_JSON's value (null: none), sorted by name. */
export function summariesFrom(json: string | null): MetricSummary[] {
  if (json === null) return [];
  const rows = JSON.parse(json) as [string, string, string | null, string | null, string | null, string, string][];
  return rows.map(([name, n, mn, mx, fs, ls, lv]) => summaryOf({ name, n, mn, mx, fs, ls, lv })).sort(byName);
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
    Prisma.sql`SELECT m.run_id AS target, m.name, m.count AS n, m.min::text AS mn, m.max::text AS mx, m.last_step AS ls, m.last_value::text AS lv,
        (SELECT b.first_step FROM metric_rollups b WHERE b.metric_id = m.id ORDER BY b.block LIMIT 1)::text AS fs
      FROM runs r JOIN metrics m ON m.run_id = r.id
      WHERE r.id = ANY(${[...runIds]}::int[]) AND r.organization_id = ${organizationId} AND r.fork_depth = 0
        AND m.name = ANY(${names}::text[]) AND m.count > 0`,
  );
  return summariesByRun(runIds, rows);
}
