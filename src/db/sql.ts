import type pg from "pg";
import type { PrismaClient } from "../generated/prisma/client.js";

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
}

export function poolSql(pool: pg.Pool): Sql {
  return {
    query: async <T>(text: string, values: unknown[] = [], name?: string) => (await pool.query({ text, values, name })).rows as T[],
  };
}

export function prismaSql(prisma: PrismaClient): Sql {
  return { query: <T>(text: string, params: unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...params) };
}
