import type pg from "pg";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";

/**
 * Plain parameterized SQL for the hot paths (key lookup, create, resume). On PostgreSQL it
 * goes straight to the pool Prisma shares: a statement costs about a quarter of the CPU it
 * costs through Prisma. On PGlite it goes through Prisma, which serializes it with Prisma's
 * own transactions on the single embedded connection.
 *
 * Results differ by driver for int8 (string vs BigInt): select such columns as ::text.
 */
export interface Sql {
  /**
   * `name` makes it a prepared statement on PostgreSQL (parsed and planned once per
   * connection): for the statements of the hottest paths, whose text never varies.
   */
  query<T>(text: string, params?: unknown[], name?: string): Promise<T[]>;
  /** Runs `fn` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

const clientQuery =
  (client: pg.PoolClient | pg.Pool) =>
  async <T>(text: string, values: unknown[] = [], name?: string) =>
    (await client.query({ text, values, name })).rows as T[];

/**
 * `prepared` runs the named statements outside transactions: a pool whose connections
 * keep generic plans (database.ts), so that a prepared statement is planned once, not at
 * every execution.
 */
export function poolSql(pool: pg.Pool, prepared: pg.Pool): Sql {
  const plain = clientQuery(pool);
  const named = clientQuery(prepared);
  return {
    query: (text, values, name) => (name ? named(text, values, name) : plain(text, values)),
    async transaction(fn) {
      const client = await pool.connect();
      const tx: Sql = {
        query: clientQuery(client),
        transaction: () => Promise.reject(new Error("nested transactions are not supported")),
      };
      try {
        await client.query("BEGIN");
        const result = await fn(tx);
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
  };
}

export function prismaSql(prisma: PrismaClient | Prisma.TransactionClient): Sql {
  return {
    query: <T>(text: string, params: unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...params),
    transaction: (fn) => {
      if (!("$transaction" in prisma)) return Promise.reject(new Error("nested transactions are not supported"));
      return prisma.$transaction((tx) => fn(prismaSql(tx)), { timeout: 30_000 });
    },
  };
}

/** Plain SQL over either kind of handle: a Prisma client or transaction, or a Sql. */
export function sqlOf(db: PrismaClient | Prisma.TransactionClient | Sql): Sql {
  return "query" in db && typeof db.query === "function" ? (db as Sql) : prismaSql(db as PrismaClient | Prisma.TransactionClient);
}

/**
 * Runs a Prisma.sql template (int8 columns come back as string or bigint: read them with
 * Number()). `name` as in Sql.query: only for a template whose text never varies.
 */
export function queryTemplate<T>(db: PrismaClient | Prisma.TransactionClient | Sql, query: Prisma.Sql, name?: string): Promise<T[]> {
  return sqlOf(db).query<T>(query.text, query.values, name);
}
