import { parseArgs } from "node:util";
import { SettingsError, loadSettings, type Settings } from "./config.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { createKey, createOrganization, listKeys, listOrganizations, revokeKey, showRun } from "./domain/admin.js";
import { DomainError } from "./domain/errors.js";

// The operator's command line (`npx ml-gateway …`). Settings come from the same
// environment variables as the server; every command works on PGlite and PostgreSQL.
// Exit codes: 0 done, 1 refused (not found, invalid, database error), 2 usage or settings.

const USAGE = `Usage: ml-gateway <command> [options]

Commands:
  serve                                         start the gateway (what npm start runs)
  migrate                                       apply pending database migrations
  orgs create SLUG [--name NAME] [--run-limit N]
  orgs list
  keys create [--org SLUG] [--name NAME] [--expires ISO-8601]
                                                print a new API key (shown once)
  keys list [--org SLUG]
  keys revoke KEY_ID
  runs show DISPLAY_ID [--org SLUG] [--project NAME]

Options:
  --org SLUG   the organization (default: BOOTSTRAP_ORG, "default")
  --json       print JSON instead of text
  -h, --help   this text

The database is DATABASE_URL (PostgreSQL) or else the PGlite directory DATA_DIR (.data).
`;

class UsageError extends Error {}

const OPTIONS = {
  name: { type: "string" },
  org: { type: "string" },
  project: { type: "string" },
  "run-limit": { type: "string" },
  expires: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];
type Print = (text: string, data: unknown) => void;

function wholeNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${flag} takes a whole number (got "${v}")`);
  return Number(v);
}

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(none)";
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v == null ? "-" : v instanceof Date ? v.toISOString() : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join("\n");
}

async function withDatabase<T>(settings: Settings, f: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(settings);
  try {
    await migrate(db, settings.databaseUrl);
    return await f(db);
  } finally {
    await db.close();
  }
}

async function run(args: string[], print: Print): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub, ...rest] = positionals;
  if (command === undefined) throw new UsageError("no command given");
  if (values.help || command === "help") {
    print(USAGE, null);
    return;
  }
  const settings = loadSettings();
  const org = values.org ?? settings.bootstrapOrg;
  const expect = (n: number) => {
    if (rest.length !== n) throw new UsageError(`"${command} ${sub}" takes ${n === 0 ? "no" : n} argument${n === 1 ? "" : "s"} after it`);
  };
  switch (`${command} ${sub ?? ""}`.trim()) {
    case "serve":
      await import("./main.js");
      return;
    case "migrate": {
      const db = await openDatabase(settings);
      try {
        const applied = await migrate(db, settings.databaseUrl);
        print(applied.length ? `applied: ${applied.join(", ")}` : `${db.location}: already up to date`, { applied });
      } finally {
        await db.close();
      }
      return;
    }
    case "orgs create": {
      expect(1);
      const created = await withDatabase(settings, (db) =>
        createOrganization(db.prisma, { slug: rest[0]!, name: values.name, runLimit: wholeNumber("run-limit", values["run-limit"]) }),
      );
      print(`created organization "${created.slug}"${created.runLimit == null ? "" : ` (run limit ${created.runLimit})`}`, created);
      return;
    }
    case "orgs list": {
      expect(0);
      const orgs = await withDatabase(settings, (db) => listOrganizations(db.prisma));
      print(table(orgs), orgs);
      return;
    }
    case "keys create": {
      expect(0);
      const expiresAt = values.expires === undefined ? null : new Date(values.expires);
      const { key, id } = await withDatabase(settings, (db) => createKey(db.prisma, { org, name: values.name ?? "cli", expiresAt }));
      print(`API key ${id} for organization "${org}" (shown once, keep it):\n\n  ${key}\n`, { id, key, organization: org });
      return;
    }
    case "keys list": {
      expect(0);
      const keys = await withDatabase(settings, (db) => listKeys(db.prisma, org));
      print(table(keys), keys);
      return;
    }
    case "keys revoke": {
      expect(1);
      const id = wholeNumber("KEY_ID", rest[0]);
      const r = await withDatabase(settings, (db) => revokeKey(db.prisma, id!));
      print(r.already ? `API key ${r.id} was already revoked at ${r.revokedAt.toISOString()}` : `revoked API key ${r.id}`, r);
      return;
    }
    case "runs show": {
      expect(1);
      const shown = await withDatabase(settings, (db) => showRun(db.prisma, { org, displayId: rest[0]!, projectName: values.project }));
      print(JSON.stringify(shown, null, 2), shown);
      return;
    }
    default:
      throw new UsageError(`unknown command "${[command, sub].filter(Boolean).join(" ")}"`);
  }
}

/** Runs the command line; returns the exit code (serve never returns while it serves). */
export async function cli(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const print: Print = (text, data) => process.stdout.write(`${json && data !== null ? JSON.stringify(data, null, 2) : text}\n`);
  try {
    await run(args, print);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`ml-gateway: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof SettingsError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`ml-gateway: ${e instanceof DomainError ? e.message : `failed: ${(e as Error).message}`}\n`);
    return 1;
  }
}
