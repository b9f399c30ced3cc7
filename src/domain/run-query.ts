import type { Prisma } from "../generated/prisma/client.js";
import type { RunStateName } from "./run-state.js";
import type { MetricAggregate, MetricCondition, MetricOrder } from "./runs-by-metric.js";

// Filters and orderings of run lists, as Prisma arguments. Every list is scoped to the
// caller's organization here, not by each caller.

export interface RunFilter {
  states?: RunStateName[] | null;
  /** Runs having any of these tags. */
  tagsAny?: string[] | null;
  runGroup?: string | null;
  nameContains?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  /** false (default): available runs only; true: archived runs only. */
  archived?: boolean | null;
  /** Both available and archived runs; overrides `archived`. */
  includeArchived?: boolean | null;
  forkedFromRunId?: number | null;
  externalId?: string | null;
  /** Conditions on metric summaries over effective histories (see runs-by-metric.ts). */
  metrics?: MetricCondition[] | null;
}

export type RunOrderField = "CREATED_AT" | "UPDATED_AT" | "NUMBER" | "NAME" | "STATE" | "STATE_UPDATED_AT" | "STARTED_AT" | "FINISHED_AT" | "RUN_ID";

/** By a column (`field`) or by a metric's summary (`metric`, `aggregate`), not both. */
export interface RunOrder {
  field?: RunOrderField | null;
  metric?: string | null;
  aggregate?: MetricAggregate | null;
  direction?: "ASC" | "DESC" | null;
}

/** Why a list of orders cannot be used, or null. */
function runOrderProblem(orders: readonly RunOrder[] | null | undefined): string | null {
  for (const o of orders ?? []) {
    if ((o.field == null) === (o.metric == null)) return "Each RunOrder takes exactly one of field and metric.";
    if (o.metric != null && orders!.length > 1) return "An order by metric must be the only order (ties break by run id).";
    if (o.metric === "") return "metric must not be empty.";
  }
  return null;
}

/** Why a run list's filter and orders cannot be used, or null. */
export function runListProblem(filter: RunFilter | null | undefined, orders: readonly RunOrder[] | null | undefined): string | null {
  if (filter?.metrics?.some((c) => c.name === "")) return "A metric condition's name must not be empty.";
  return runOrderProblem(orders);
}

/** Whether the list needs metric summaries (runs-by-metric.ts) rather than one Prisma query. */
export function usesMetrics(filter: RunFilter | null | undefined, orders: readonly RunOrder[] | null | undefined): boolean {
  return Boolean(filter?.metrics?.length) || metricOrderOf(orders) != null;
}

/** The order by metric, when the list holds one. */
export function metricOrderOf(orders: readonly RunOrder[] | null | undefined): MetricOrder | null {
  const o = orders?.find((x) => x.metric != null);
  return o ? { metric: o.metric!, aggregate: o.aggregate, direction: o.direction } : null;
}

/**
 * `%`, `_` and `\` match themselves in a `contains` filter: Prisma passes the text into
 * ILIKE's pattern as it is, where "50%" also matched "50x off" (test/run-list.test.ts).
 */
export const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function runWhere(organizationId: number, filter: RunFilter | null | undefined, projectName?: string | null): Prisma.RunWhereInput {
  const f = filter ?? {};
  const where: Prisma.RunWhereInput = { organizationId };
  if (projectName != null) where.project = { name: projectName };
  if (f.states?.length) where.state = { in: f.states };
  if (f.tagsAny?.length) where.tags = { hasSome: f.tagsAny };
  if (f.runGroup != null) where.runGroup = f.runGroup;
  if (f.nameContains) where.name = { contains: likeEscaped(f.nameContains), mode: "insensitive" };
  if (f.createdAfter || f.createdBefore) {
    where.createdAt = { ...(f.createdAfter ? { gte: f.createdAfter } : {}), ...(f.createdBefore ? { lt: f.createdBefore } : {}) };
  }
  if (!f.includeArchived) where.storageState = f.archived ? "ARCHIVED" : "AVAILABLE";
  if (f.forkedFromRunId != null) where.forkedFromId = f.forkedFromRunId;
  if (f.externalId != null) where.externalId = f.externalId;
  return where;
}

/** One key of a run list's order: a column of Run, its direction, and whether it may be null. */
export interface RunOrderTerm {
  column: "createdAt" | "updatedAt" | "number" | "name" | "state" | "stateUpdatedAt" | "startedAt" | "finishedAt" | "id";
  /** The column's name in the runs table. */
  sqlColumn: string;
  direction: "asc" | "desc";
  /** A nullable column sorts its nulls last, whichever the direction. */
  nullable: boolean;
}

const COLUMN: Record<RunOrderField, Pick<RunOrderTerm, "column" | "sqlColumn" | "nullable">> = {
  CREATED_AT: { column: "createdAt", sqlColumn: "created_at", nullable: false },
  UPDATED_AT: { column: "updatedAt", sqlColumn: "updated_at", nullable: false },
  NUMBER: { column: "number", sqlColumn: "number", nullable: true },
  NAME: { column: "name", sqlColumn: "name", nullable: false },
  STATE: { column: "state", sqlColumn: "state", nullable: false },
  STATE_UPDATED_AT: { column: "stateUpdatedAt", sqlColumn: "state_updated_at", nullable: true },
  STARTED_AT: { column: "startedAt", sqlColumn: "started_at", nullable: true },
  FINISHED_AT: { column: "finishedAt", sqlColumn: "finished_at", nullable: true },
  RUN_ID: { column: "id", sqlColumn: "id", nullable: false },
};

/** Newest first by default; the run id breaks ties so pages are stable. */
export function runOrderTerms(orders: readonly RunOrder[] | null | undefined): RunOrderTerm[] {
  const list = orders?.length ? orders : [{ field: "CREATED_AT" as const, direction: "DESC" as const }];
  const terms = list.map((o): RunOrderTerm => ({ ...COLUMN[o.field ?? "CREATED_AT"], direction: o.direction === "ASC" ? "asc" : "desc" }));
  if (!list.some((o) => o.field === "RUN_ID")) terms.push({ ...COLUMN.RUN_ID, direction: list[list.length - 1]?.direction === "ASC" ? "asc" : "desc" });
  return terms;
}

/** runOrderTerms as Prisma's orderBy. */
export function runOrderBy(orders: readonly RunOrder[] | null | undefined): Prisma.RunOrderByWithRelationInput[] {
  return runOrderTerms(orders).map((t) => ({ [t.column]: t.nullable ? { sort: t.direction, nulls: "last" } : t.direction }));
}
