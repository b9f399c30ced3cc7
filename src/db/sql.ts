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
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export function poolSql(pool: pg.Pool): Sql {
  return { query: async <T>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[] };
}

export function prismaSql(prisma: PrismaClient): Sql {
  return { query: <T>(text: string, params: unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...params) };
}
