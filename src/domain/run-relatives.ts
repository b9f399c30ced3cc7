import type { Sql } from "../db/sql.js";
import { cursorOf, type IdPage } from "./id-page.js";
import type { RunStateName } from "./run-state.js";

// What a run list shows of each run's lineage: the run it was forked from, and its forks
// (their count, or a page of them), read for the whole list in one statement each, as
// plain rows. Through Pothos's Prisma relations these were folded into the list's own
// Prisma statement, but answering them needed Pothos's loading plan at every row: a
// lookup per field, and one that graphql-jit's compiled execution cannot make (it keys on
// graphql-js's path objects), which kept compiled execution off the run list
// (bench/README.md).

/** The columns every run list shows, which are always read with a run (schema/run.ts). */
export interface RunListRow {
  id: number;
  number: number | null;
  name: string;
  state: RunStateName;
  createdAt: Date;
  forkedFromId: number | null;
}

export interface RunRelatives {
  /** The run it was forked from, or null. */
  parent: RunListRow | null;
  /** Its forks, of the organization. */
  forkCount: number;
}

// Relatives read with the list they belong to (run-list.ts), by row: a list's forkedFrom and
// forks count then resolve at once, without a promise each, and the fields of the parents
// that Pothos loads are asked for in the same tick as those of the list's runs, which it
// merges into one statement.
const inHand = new WeakMap<object, RunRelatives>();

/** Records the relatives read with `row`. */
export function holdRelatives(row: object, relatives: RunRelatives): void {
  inHand.set(row, relatives);
}

/** The relatives read with `row`, if they were. */
export function relativesInHand(row: object): RunRelatives | undefined {
  return inHand.get(row);
}

/** A RunListRow's columns as a statement gives them (`listColumns`). */
export type ListRowColumns = { id: number; number: number | null; name: string; state: RunStateName; created_at: number; forked_from_id: number | null };
type Row = ListRowColumns;

/** The columns of runs a RunListRow is made of. */
export const LIST_COLUMNS = ["id", "number", "name", "state", "created_at", "forked_from_id"] as const;

// Epoch milliseconds, not timestamptz: node-postgres parses a timestamptz's text with a
// regular expression, 8,000 instructions a value (see state-history.ts).
/** A RunListRow's columns of the runs row `r`, named with `prefix`. */
export const listColumns = (r: string, prefix = "") =>
  `${r}.id AS ${prefix}id, ${r}.number AS ${prefix}number, ${r}.name AS ${prefix}name, ${r}.state::text AS ${prefix}state, ` +
  `floor(extract(epoch FROM ${r}.created_at) * 1000)::float8 AS ${prefix}created_at, ${r}.forked_from_id AS ${prefix}forked_from_id`;

export const listRow = (r: Row): RunListRow => ({
  id: r.id,
  number: r.number,
  name: r.name,
  state: r.state,
  createdAt: new Date(r.created_at),
  forkedFromId: r.forked_from_id,
});

const RELATIVES = `
  SELECT r.id AS target,
         (SELECT count(*)::int FROM runs f WHERE f.forked_from_id = r.id AND f.organization_id = $2) AS fork_count,
         ${listColumns("p")}
  FROM runs r LEFT JOIN runs p ON p.id = r.forked_from_id AND p.organization_id = $2
  WHERE r.id = ANY($1::int[]) AND r.organization_id = $2`;

/** Parent and fork count of each run of the organization; runs of another are absent. */
export async function runRelatives(sql: Sql, organizationId: number, runIds: readonly number[]): Promise<Map<number, RunRelatives>> {
  const rows = await sql.query<Row & { target: number; fork_count: number }>(RELATIVES, [[...runIds], organizationId], "run_relatives");
  return new Map(rows.map((r) => [r.target, { parent: r.id === null ? null : listRow(r), forkCount: r.fork_count }]));
}

const forks = (order: "ASC" | "DESC", compare: ">" | "<") => `
  SELECT parent.id AS target, ${listColumns("f")}
  FROM runs parent
  CROSS JOIN LATERAL (
    SELECT * FROM runs f
    WHERE f.forked_from_id = parent.id AND f.organization_id = $2 AND f.id ${compare} $3::bigint
    ORDER BY f.id ${order} LIMIT $4
  ) f
  WHERE parent.id = ANY($1::int[]) AND parent.organization_id = $2`;
// Fixed texts, so each is a prepared statement on PostgreSQL.
const FORWARD = forks("ASC", ">");
const BACKWARD = forks("DESC", "<");

/** The same page of each run's forks, oldest first; a run with none, or not the organization's, is absent. */
export async function forkPages(sql: Sql, organizationId: number, parentIds: readonly number[], page: IdPage): Promise<Map<number, RunListRow[]>> {
  const rows = await sql.query<Row & { target: number }>(
    page.forward ? FORWARD : BACKWARD,
    [[...parentIds], organizationId, cursorOf(page), page.limit],
    page.forward ? "fork_pages_forward" : "fork_pages_backward",
  );
  const byParent = new Map<number, RunListRow[]>();
  for (const r of rows) {
    const list = byParent.get(r.target) ?? [];
    list.push(listRow(r));
    byParent.set(r.target, list);
  }
  for (const list of byParent.values()) list.sort((a, b) => a.id - b.id);
  return byParent;
}
