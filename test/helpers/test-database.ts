import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";

// Each test file gets its own database, cloned from a migrated template made once by
// global-setup.ts: PGlite by default, PostgreSQL when DATABASE_URL is set.

/** Only databases whose name says they are for tests are ever created or dropped. */
export function assertTestDatabaseName(name: string): void {
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to use database "${name}" for tests: its name must contain "test".`);
  }
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export const TEMPLATE_SUFFIX = "_tpl";

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase extends Database {
  name: string;
  /** The connection URL, for PostgreSQL test databases (other processes can use them). */
  url?: string;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const dump = inject("pgliteTemplate");
    if (!dump) throw new Error("no PGlite template: run the tests through vitest (global-setup.ts)");
    const db = await openDatabase({ dataDir: "memory://", loadDataDir: new Blob([await readFile(dump)]) });
    return { ...db, name: "pglite" };
  }
  const base = databaseNameOf(baseUrl);
  assertTestDatabaseName(base);
  const name = `${base}_${randomBytes(5).toString("hex")}`;
  await adminQuery(baseUrl, `CREATE DATABASE "${name}" TEMPLATE "${base}${TEMPLATE_SUFFIX}"`);
  const url = withDatabaseName(baseUrl, name);
  const db = await openDatabase({ databaseUrl: url, dataDir: ".unused", poolSize: 20 });
  return {
    ...db,
    name,
    url,
    async close() {
      await db.close();
      assertTestDatabaseName(name);
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * A database a child process can open (the gateway, the CLI): a PostgreSQL test copy when
 * DATABASE_URL is set, else a new PGlite directory. `env` points a process at it.
 */
export async function openProcessDatabase(prefix: string): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const db = await openTestDatabase();
    // The copy stays until close(); other processes use it meanwhile.
    return { env: { DATABASE_URL: db.url! }, close: () => db.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { env: { DATABASE_URL: "", DATA_DIR: dir }, close: () => rm(dir, { recursive: true, force: true }) };
}
