import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
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
    return async () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
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
