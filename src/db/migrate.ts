import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Database } from "./database.js";
import { applyMigrations } from "./schema-engine.js";

// Several replicas may start at once against one PostgreSQL: the first to take this
// session-level advisory lock migrates, the others wait and then find nothing to apply.
const MIGRATION_LOCK_KEY = 7_204_311_902;

export async function migrate(db: Database, databaseUrl?: string): Promise<string[]> {
  if (db.kind !== "postgres" || !databaseUrl) {
    const applied = await applyMigrations(db.adapterFactory);
    // PGlite learns array types (e.g. "RunState"[]) when it opens: those a migration just
    // made must be learnt again, or array parameters of them travel as plain text.
    if (applied.length) await db.pglite?.refreshArrayTypes();
    return applied;
  }
  const lockClient = new pg.Client({ connectionString: databaseUrl });
  // Dropped while the migrations run, the idle connection emits an error that would end the
  // process unheard; the lock went with the session, and the migrations report their own failure.
  lockClient.on("error", () => {});
  await lockClient.connect();
  try {
    await lockClient.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    // Its own adapter, closed afterwards: the engine takes session-level advisory locks,
    // which must not stay behind on connections of the gateway's shared pool.
    return await applyMigrations(new PrismaPg({ connectionString: databaseUrl }));
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    await lockClient.end();
  }
}
