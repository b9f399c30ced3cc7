import type { Prisma } from "../generated/prisma/client.js";
import type { RunStateName } from "./run-state.js";

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
}

export type RunOrderField = "CREATED_AT" | "UPDATED_AT" | "NUMBER" | "NAME" | "STATE" | "STATE_UPDATED_AT" | "STARTED_AT" | "FINISHED_AT" | "RUN_ID";

export interface RunOrder {
  field: RunOrderField;
  direction?: "ASC" | "DESC" | null;
}

export function runWhere(organizationId: number, filter: RunFilter | null | undefined, projectName?: string | null): Prisma.RunWhereInput {
  const f = filter ?? {};
  const where: Prisma.RunWhereInput = { organizationId };
  if (projectName != null) where.project = { name: projectName };
  if (f.states?.length) where.state = { in: f.states };
  if (f.tagsAny?.length) where.tags = { hasSome: f.tagsAny };
  if (f.runGroup != null) where.runGroup = f.runGroup;
  if (f.nameContains) where.name = { contains: f.nameContains, mode: "insensitive" };
  if (f.createdAfter || f.createdBefore) {
    where.createdAt = { ...(f.createdAfter ? { gte: f.createdAfter } : {}), ...(f.createdBefore ? { lt: f.createdBefore } : {}) };
  }
  if (!f.includeArchived) where.storageState = f.archived ? "ARCHIVED" : "AVAILABLE";
  if (f.forkedFromRunId != null) where.forkedFromId = f.forkedFromRunId;
  if (f.externalId != null) where.externalId = f.externalId;
  return where;
}

const COLUMN: Record<RunOrderField, keyof Prisma.RunOrderByWithRelationInput> = {
  CREATED_AT: "createdAt",
  UPDATED_AT: "updatedAt",
  NUMBER: "number",
  NAME: "name",
  STATE: "state",
  STATE_UPDATED_AT: "stateUpdatedAt",
  STARTED_AT: "startedAt",
  FINISHED_AT: "finishedAt",
  RUN_ID: "id",
};

/** Newest first by default; the run id breaks ties so pages are stable. */
export function runOrderBy(orders: readonly RunOrder[] | null | undefined): Prisma.RunOrderByWithRelationInput[] {
  const list = orders?.length ? orders : [{ field: "CREATED_AT" as const, direction: "DESC" as const }];
  const out: Prisma.RunOrderByWithRelationInput[] = list.map((o) => {
    const dir = o.direction === "ASC" ? "asc" : "desc";
    const nullable = ["number", "stateUpdatedAt", "startedAt", "finishedAt"].includes(COLUMN[o.field]);
    return { [COLUMN[o.field]]: nullable ? { sort: dir, nulls: "last" } : dir };
  });
  if (!list.some((o) => o.field === "RUN_ID")) out.push({ id: list[list.length - 1]?.direction === "ASC" ? "asc" : "desc" });
  return out;
}
