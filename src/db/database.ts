import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { poolSql, prismaSql, type Sql } from "./sql.js";
import type { PoolStats } from "../observability/metrics.js";
import { lockDataDir } from "./data-dir-lock.js";
import { pgliteListen, postgresListen, type Listen } from "./notifications.js";

export type DatabaseKind = "postgres" | "pglite";

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** Plain SQL for the hot paths; see sql.ts. */
  sql: Sql;
  /** LISTEN on a channel (see notifications.ts). */
  listen: Listen;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Where the data lives, for logs: a directory or a URL without its password. */
  location: string;
  /** Connections of the pool, on PostgreSQL (PGlite has its one connection). */
  poolStats?: () => PoolStats;
  /** The embedded instance, when kind is "pglite". */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** A directory, or "memory://" for a throwaway database (tests). */
  dataDir: string;
  poolSize?: number;
  /** Start PGlite from a dump of another instance (tests clone a migrated template). */
  loadDataDir?: Blob;
}

class BoundedConnectClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super({ ...(typeof config === "string" ? { connectionString: config } : config), connectionTimeoutMillis: 3_000 });
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    // One pool for Prisma and for the plain SQL of the hot paths, and one for their
    // prepared statements (below): up to twice the pool size in connections.
    // A database that does not answer fails a request within seconds instead of holding it:
    // opening a connection is bounded, and dead peers are noticed. Waiting for a free pooled
    // connection is not bounded (pg-pool's own connectionTimeoutMillis would bound both):
    // under a burst, a queue is load, not an outage.
    // A connection, once opened, stays open (a fixed-size pool, as HikariCP recommends): by
    // default pg-pool closes idle connections after 10 s, and the connections a burst opened
    // go idle together, so they closed together, and on this 2-CPU VM their PostgreSQL
    // backends exiting at once stalled the requests of that moment by 70-140 ms
    // (bench/README.md, "Ingest at the SDK's pace").
    const config = { connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, idleTimeoutMillis: 0, keepAlive: true, Client: BoundedConnectClient };
    const pool = new pg.Pool(config);
    // The named statements of the hot paths (fixed texts, index lookups by key) run on
    // connections that always use a statement's generic plan. PostgreSQL would otherwise
    // plan them again at every execution: with array parameters the generic plan's estimate
    // never wins, and planning cost more database time than running (bench/README.md).
    // Prisma's statements keep the default on the other pool.
    // Set when a connection opens, before the pool hands it out (pg-pool awaits onConnect),
    // rather than as a startup option: a URL's own `options` would override that, and
    // poolers such as PgBouncer refuse the parameter.
    const prepared = new pg.Pool({ ...config, onConnect: (client) => client.query("SET plan_cache_mode = force_generic_plan") });
    // An idle connection that drops (a restart, a failover) leaves its pool, which opens a
    // new one on demand; unheard, the pool's error event would end the process. Prisma's
    // adapter listens on the pool it shares only between its first query and $disconnect,
    // while the plain SQL uses it from the first request to the last.
    pool.on("error", () => {});
    prepared.on("error", () => {});
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return {
      kind: "postgres",
      prisma,
      sql: poolSql(pool, prepared),
      listen: postgresListen(opts.databaseUrl),
      adapterFactory,
      location: redact(opts.databaseUrl),
      poolStats: () => ({
        total: pool.totalCount + prepared.totalCount,
        idle: pool.idleCount + prepared.idleCount,
        waiting: pool.waitingCount + prepared.waitingCount,
      }),
      async close() {
        await prisma.$disconnect();
        await Promise.all([pool.end().catch(() => {}), prepared.end().catch(() => {})]);
      },
    };
  }
  const inMemory = opts.dataDir.startsWith("memory://");
  const unlock = inMemory ? () => {} : lockDataDir(opts.dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(opts.dataDir, opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  } catch (e) {
    unlock();
    throw new Error(`Cannot open the PGlite database in DATA_DIR ${opts.dataDir}: ${(e as Error).message}`);
  }
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    kind: "pglite",
    prisma,
    sql: prismaSql(prisma),
    listen: pgliteListen(pglite),
    adapterFactory,
    location: opts.dataDir,
    pglite,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      unlock();
    },
  };
}
