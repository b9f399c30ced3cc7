import type { Context } from "./context.js";
import type { Run as RunRow } from "../generated/prisma/client.js";

// A mutation already holds the run it wrote. Pothos would load it again to answer the
// client's selection (one more query for `displayId`, `url`, `forkedFrom`); when the row in
// hand carries everything the planned Prisma query asks for, answer from it instead.

type Query = { select?: Record<string, unknown>; include?: Record<string, unknown> };

/** A relation planned as `value`, answered by `row` (null answers any plan). */
function relationSatisfied(value: unknown, row: unknown): boolean {
  if (row === null) return true;
  if (row === undefined || typeof row !== "object" || Array.isArray(row)) return false;
  // `true` or `{ include }` ask for the whole related row, which a row in hand never claims to hold.
  if (value === null || typeof value !== "object") return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === "select" && selectSatisfied((value as Query).select!, row as Record<string, unknown>);
}

function selectSatisfied(select: Record<string, unknown>, row: Record<string, unknown>): boolean {
  return Object.entries(select).every(([key, value]) =>
    value === true ? row[key] !== undefined : value === false || value === undefined || relationSatisfied(value, row[key]),
  );
}

/**
 * Whether `row` answers `query` as planned by Pothos. `row` is a whole run row, possibly with
 * some relations attached (e.g. `project: { name, runPrefix }`); anything else (counts,
 * filtered or paginated relations) is not answered from memory.
 */
export function rowSatisfies(query: Query, row: Record<string, unknown>): boolean {
  const keys = Object.keys(query);
  if (keys.some((k) => k !== "select" && k !== "include")) return false;
  if (query.select) return selectSatisfied(query.select, row);
  return Object.entries(query.include ?? {}).every(([key, value]) => value === false || relationSatisfied(value, row[key]));
}

/** The run a mutation wrote, for the client's selection: from memory if it suffices. */
export function runInHand(query: Query, run: RunRow, ctx: Context) {
  if (rowSatisfies(query, run as unknown as Record<string, unknown>)) return run;
  return ctx.prisma.run.findUniqueOrThrow({ ...query, where: { id: run.id } });
}
