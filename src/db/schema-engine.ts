import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";

// Prisma's schema engine compiled to WebAssembly, driven through a driver adapter: the
// same migrations apply on PGlite and PostgreSQL, and nothing is downloaded (the CLI's
// native engine cannot be fetched on offline machines).

export const MIGRATIONS_DIR = resolve("prisma/migrations");
export const SCHEMA_PATH = resolve("prisma/schema.prisma");

const filters = { externalTables: [], externalEnums: [] };

let engineModule: Promise<typeof import("@prisma/schema-engine-wasm/schema_engine_bg")> | undefined;

function loadEngineModule() {
  engineModule ??= (async () => {
    const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const require = createRequire(import.meta.url);
    const wasmPath = join(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/[^/\\]+$/, ""), "schema_engine_bg.wasm");
    const module = new WebAssembly.Module(await readFile(wasmPath));
    // The engine arms a 10 s timer that would keep a finished CLI or test process alive;
    // its timers are housekeeping, so let them not hold the event loop.
    const imports: Record<string, unknown> = { ...bg };
    for (const key of Object.keys(bg).filter((k) => k.startsWith("__wbg_setTimeout_"))) {
      const original = imports[key] as (...a: unknown[]) => unknown;
      imports[key] = (...args: unknown[]) => {
        const timer = original(...args) as { unref?: () => void };
        timer?.unref?.();
        return timer;
      };
    }
    const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": imports as WebAssembly.ModuleImports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return engineModule;
}

type ScriptRunner = {
  executeScript(script: string): Promise<void>;
  client: { query(text: string): Promise<unknown> } | { exec(text: string): Promise<unknown> };
  onError(e: unknown): never;
};

/**
 * Runs a migration script as one script. The pg adapter splits scripts at every `;`,
 * which breaks a function body (plpgsql, dollar-quoted); the PGlite adapter does not wait
 * for its script, so its errors would go unseen. PostgreSQL's simple query protocol and
 * PGlite's `exec` both take a whole script.
 */
function wholeScripts<T extends object>(adapter: T): T {
  const a = adapter as unknown as ScriptRunner;
  a.executeScript = async (script) => {
    try {
      await ("exec" in a.client ? a.client.exec(script) : a.client.query(script));
    } catch (e) {
      a.onError(e);
    }
  };
  return adapter;
}

/** The adapter keeps the real error; the engine only says "External error id#N". */
async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodel: string | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
  log: (line: string) => void = () => {},
): Promise<T> {
  const bg = await loadEngineModule();
  // The engine never disposes the connections it opens; an open pg pool keeps the
  // process alive for its idle timeout. Track them and close them ourselves.
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const a = wholeScripts(await factory.connect());
      opened.push(a);
      return a;
    },
    connectToShadowDb: async () => {
      const a = await factory.connectToShadowDb();
      opened.push(a);
      return a;
    },
  };
  const adapter = bindMigrationAwareSqlAdapterFactory(tracking);
  const datamodels: [string, string][] | undefined = datamodel ? [[SCHEMA_PATH, datamodel]] : undefined;
  const engine = await bg.SchemaEngine.new({ datamodels }, log, adapter);
  try {
    return await run(engine);
  } catch (e) {
    const last = (adapter as unknown as { errorRegistry?: { consumeError(id: number): unknown } }).errorRegistry;
    const id = /External error id#(\d+)/.exec(String((e as Error)?.message ?? e))?.[1];
    const cause = id && last ? last.consumeError(Number(id)) : undefined;
    throw new Error(`Schema engine: ${(e as Error)?.message ?? e}${cause ? ` (${JSON.stringify(cause)})` : ""}`);
  } finally {
    engine.free();
    await Promise.all(opened.map((a) => a.dispose().catch(() => {})));
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const names = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: await readFile(join(dir, name, "migration.sql"), "utf8") },
      },
    })),
  );
  const lockContent = await readFile(join(dir, "migration_lock.toml"), "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Applies pending migrations (recorded in `_prisma_migrations`); returns their names. */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrationsList = await readMigrations(dir);
  return withEngine(factory, undefined, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters });
    return out.appliedMigrationNames;
  });
}

/** SQL that takes a database migrated with `dir` to `datamodel`; empty when nothing changed. */
export async function diffToSchema(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodel: string,
  dir = MIGRATIONS_DIR,
): Promise<string> {
  const migrationsList = await readMigrations(dir);
  return withEngine(factory, datamodel, async (engine) => {
    const from = migrationsList.migrationDirectories.length
      ? ({ tag: "migrations", ...migrationsList } as const)
      : ({ tag: "empty" } as const);
    const out = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: datamodel }] },
      script: true,
      exitCode: null,
      filters,
    });
    return (out.stdout ?? "").trim();
  });
}

/**
 * The SQL of the migration that prisma/schema.prisma still needs, or "" when the migrations
 * already produce it. Runs on a throwaway in-memory PGlite: the WASM engine has no shadow
 * database of its own, and on PostgreSQL it would use the live one.
 */
export async function pendingMigrationSql(dir = MIGRATIONS_DIR): Promise<string> {
  const pglite = await PGlite.create();
  try {
    const factory = new PrismaPGlite(pglite);
    await applyMigrations(factory, dir);
    const sql = await diffToSchema(factory, await readFile(SCHEMA_PATH, "utf8"), dir);
    return sql.replace(/^--.*$/gm, "").trim() === "" ? "" : sql;
  } finally {
    await pglite.close();
  }
}
