import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/schema-engine.js";
import { TEMPLATE_SUFFIX, adminQuery, assertTestDatabaseName, databaseNameOf, withDatabaseName } from "./test-database.js";

// Migrates one template database for the whole run; test files clone it.
export default async function setup(project: TestProject) {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const base = databaseNameOf(baseUrl);
    assertTestDatabaseName(base);
    const template = `${base}${TEMPLATE_SUFFIX}`;
    await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await adminQuery(baseUrl, `CREATE DATABASE "${template}"`);
    await applyMigrations(new PrismaPg({ connectionString: withDatabaseName(baseUrl, template) }));
    return async () => {
      // Every copy a test file made, whether or not its own teardown ran (a test app made
      // inside a test registers no afterAll), then the template.
      const admin = new pg.Client({ connectionString: baseUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname ~ '_[0-9a-f]{10}$'`,
          [`${base}_`],
        );
        for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "gateway-test-"));
  const db = await openDatabase({ dataDir: "memory://" });
  await applyMigrations(db.adapterFactory);
  const dump = await db.pglite!.dumpDataDir("none");
  await db.close();
  const path = join(dir, "template.tar");
  await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteTemplate", path);
  return async () => rm(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
