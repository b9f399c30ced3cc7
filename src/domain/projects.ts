import type { Sql } from "../db/sql.js";
import type { Db } from "./db.js";
import { runPrefix } from "./run-prefix.js";

export interface ProjectRef {
  id: number;
  runPrefix: string;
}

/**
 * The organization's project of that name, created on first use. Safe under concurrency:
 * a racing insert of the same name waits on the unique index and then reads the winner's
 * row. Inside a transaction, a rollback takes the new project away with it.
 */
export async function findOrCreateProject(db: Db, organizationId: number, name: string): Promise<ProjectRef> {
  const select = () => db.$queryRaw<{ id: number; run_prefix: string }[]>`
    SELECT id, run_prefix FROM projects WHERE organization_id = ${organizationId} AND name = ${name}`;
  // Most creates name an existing project: one statement then.
  const existing = (await select())[0];
  if (existing) return { id: existing.id, runPrefix: existing.run_prefix };
  const inserted = await db.$queryRaw<{ id: number; run_prefix: string }[]>`
    INSERT INTO projects (organization_id, name, run_prefix, updated_at)
    VALUES (${organizationId}, ${name}, ${runPrefix(name)}, now())
    ON CONFLICT (organization_id, name) DO NOTHING
    RETURNING id, run_prefix`;
  const row = inserted[0] ?? (await select())[0];
  if (!row) throw new Error(`project ${name} vanished between insert and select`);
  return { id: row.id, runPrefix: row.run_prefix };
}

/** Takes the next run number of a locked project row; the lock serializes creates in it. */
export async function allocateRunNumber(db: Db, projectId: number): Promise<number> {
  const rows = await db.$queryRaw<{ number: number }[]>`
    UPDATE projects SET next_run_number = next_run_number + 1, updated_at = now()
    WHERE id = ${projectId}
    RETURNING next_run_number - 1 AS number`;
  return rows[0]!.number;
}

export async function lockProject(db: Db, projectId: number): Promise<void> {
  await db.$queryRaw`SELECT id FROM projects WHERE id = ${projectId} FOR NO KEY UPDATE`;
}

/** The columns a project shows (schema/project.ts), which every read of a project gives. */
export interface ProjectRow {
  id: number;
  name: string;
  runPrefix: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  /** The organization's runs in it, when the read counted them. */
  runCount?: number;
}

// Epoch milliseconds: node-postgres parses a timestamptz's text at far more cost (state-history.ts).
/**
 * The columns of ProjectRow of the projects row `p`, named with `prefix`; with `runCount`,
 * its runs of the organization `organization` (a parameter) counted. The run list's
 * statement reads them too when it finds its project by name (run-list.ts), on its first
 * row only (`onlyWhen`): the other rows' nulls cost node-postgres nothing to parse, and
 * the count is made once.
 */
export function projectColumns(prefix: string, organization: string, runCount: boolean, onlyWhen?: string): string {
  const columns: [string, string][] = [
    ["p.id", "id"],
    ["p.name", "name"],
    ["p.run_prefix", "run_prefix"],
    ["p.tags", "tags"],
    ["floor(extract(epoch FROM p.created_at) * 1000)::float8", "created_at"],
    ["floor(extract(epoch FROM p.updated_at) * 1000)::float8", "updated_at"],
  ];
  if (runCount) columns.push([`(SELECT count(*)::int FROM runs r WHERE r.project_id = p.id AND r.organization_id = ${organization})`, "run_count"]);
  return columns.map(([value, name]) => `${onlyWhen ? `CASE WHEN ${onlyWhen} THEN ${value} END` : value} AS ${prefix}${name}`).join(", ");
}

type ProjectColumns = { id: number; name: string; run_prefix: string; tags: string[]; created_at: number; updated_at: number; run_count?: number };

/** The ProjectRow of a row read with projectColumns(prefix, …). */
export function projectRowOf(row: Record<string, unknown>, prefix = ""): ProjectRow {
  const r = (prefix ? Object.fromEntries(Object.keys(row).filter((k) => k.startsWith(prefix)).map((k) => [k.slice(prefix.length), row[k]])) : row) as ProjectColumns;
  return { id: r.id, name: r.name, runPrefix: r.run_prefix, tags: r.tags, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), runCount: r.run_count };
}

const projectByNameText = (withCount: boolean) => `SELECT ${projectColumns("", "$1", withCount)} FROM projects p WHERE p.organization_id = $1 AND p.name = $2`;
const PROJECT_BY_NAME = projectByNameText(false);
const PROJECT_BY_NAME_COUNTED = projectByNameText(true);

/**
 * The organization's project of that name, or null, with its run count if `withRunCount`:
 * the root of the frontend's run list, in one prepared statement (or in the list's own,
 * run-list.ts `projectWithRuns`, when the list is all it shows).
 */
export async function projectByName(sql: Sql, organizationId: number, name: string, withRunCount = false): Promise<ProjectRow | null> {
  const [r] = await sql.query<ProjectColumns>(
    withRunCount ? PROJECT_BY_NAME_COUNTED : PROJECT_BY_NAME,
    [organizationId, name],
    withRunCount ? "project_by_name_counted" : "project_by_name",
  );
  return r ? projectRowOf(r) : null;
}

/** The organization's runs in each of the projects. */
export async function runCounts(sql: Sql, organizationId: number, projectIds: readonly number[]): Promise<Map<number, number>> {
  const rows = await sql.query<{ project_id: number; runs: number }>(
    "SELECT project_id, count(*)::int AS runs FROM runs WHERE project_id = ANY($1::int[]) AND organization_id = $2 GROUP BY project_id",
    [[...projectIds], organizationId],
    "run_counts",
  );
  return new Map(rows.map((r) => [r.project_id, r.runs]));
}
