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
