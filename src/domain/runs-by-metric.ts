import type { Prisma } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import type { Db } from "./db.js";
import { metricSummariesOfRoots, metricSummariesOfRuns, type MetricSummary } from "./metric-history.js";

// Run lists sorted or filtered by a metric (run-model.md, "Metrics": sorting runs by a
// metric works on effective histories). A fork's summary includes what it inherits, which
// no column holds, so the list is taken whole, summarized in one statement
// (metricSummariesOfRuns), then filtered, sorted and paged here.

export type MetricAggregate = "LAST" | "MIN" | "MAX";

export interface MetricOrder {
  metric: string;
  aggregate?: MetricAggregate | null;
  direction?: "ASC" | "DESC" | null;
}

/** Runs whose aggregate of the metric lies within every bound given; with none, runs having the metric. */
export interface MetricCondition {
  name: string;
  aggregate?: MetricAggregate | null;
  lt?: number | null;
  lte?: number | null;
  gt?: number | null;
  gte?: number | null;
}

/** A Prisma-style page request, as Pothos' cursor connections build it. */
export interface PageQuery {
  take?: number;
  skip?: number;
  cursor?: { id: number };
}

/** The aggregate, or null when the run has no such point or it is NaN (sorted last, never matched). */
function valueOf(s: MetricSummary | undefined, aggregate: MetricAggregate | null | undefined): number | null {
  if (!s) return null;
  const v = aggregate === "MIN" ? s.min : aggregate === "MAX" ? s.max : s.last;
  return v == null || Number.isNaN(v) ? null : v;
}

function satisfies(v: number | null, c: MetricCondition): boolean {
  if (v == null) return false;
  return (c.lt == null || v < c.lt) && (c.lte == null || v <= c.lte) && (c.gt == null || v > c.gt) && (c.gte == null || v >= c.gte);
}

/**
 * The ids of the runs matching `where` and every condition, in the metric order (nulls
 * last, ties by run id in the same direction) or, without one, newest first.
 */
export async function runIdsByMetric(
  db: Db,
  sql: Sql,
  organizationId: number,
  where: Prisma.RunWhereInput,
  opts: { order?: MetricOrder | null; conditions?: readonly MetricCondition[] | null },
): Promise<number[]> {
  const runs = await db.run.findMany({ where: { ...where, organizationId }, select: { id: true, forkDepth: true }, orderBy: { id: "desc" } });
  const conditions = opts.conditions ?? [];
  const names = [...new Set([...conditions.map((c) => c.name), ...(opts.order ? [opts.order.metric] : [])])];
  if (names.length === 0) return runs.map((r) => r.id);
  // Most runs of a long list are roots, whose summaries need no lineage.
  const [roots, forks] = await Promise.all([
    metricSummariesOfRoots(sql, organizationId, runs.filter((r) => r.forkDepth === 0).map((r) => r.id), names),
    metricSummariesOfRuns(sql, organizationId, runs.filter((r) => r.forkDepth > 0).map((r) => r.id), { names }),
  ]);
  const summaries = new Map([...roots, ...forks]);
  const byName = (id: number) => new Map((summaries.get(id) ?? []).map((s) => [s.name, s]));
  let rows = runs.map((r) => ({ id: r.id, metrics: byName(r.id) }));
  rows = rows.filter((r) => conditions.every((c) => satisfies(valueOf(r.metrics.get(c.name), c.aggregate), c)));
  const order = opts.order;
  if (!order) return rows.map((r) => r.id);
  const sign = order.direction === "ASC" ? 1 : -1;
  const keyed = rows.map((r) => ({ id: r.id, v: valueOf(r.metrics.get(order.metric), order.aggregate) }));
  keyed.sort((a, b) => {
    if (a.v !== b.v) {
      if (a.v == null) return 1;
      if (b.v == null) return -1;
      return sign * (a.v - b.v);
    }
    return sign * (a.id - b.id);
  });
  return keyed.map((r) => r.id);
}

/** The slice of `ids` a Prisma cursor query would return (negative take: the rows before). */
export function pageOf(ids: readonly number[], q: PageQuery): number[] {
  const skip = q.skip ?? 0;
  const take = q.take ?? ids.length;
  let at = 0;
  if (q.cursor) {
    at = ids.indexOf(q.cursor.id);
    if (at < 0) return [];
  }
  if (take >= 0) return ids.slice(at + skip, at + skip + take);
  const end = q.cursor ? at + 1 - skip : ids.length - skip;
  return ids.slice(Math.max(0, end + take), Math.max(0, end));
}
