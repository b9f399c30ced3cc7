import type { Prisma, PrismaClient } from "../generated/prisma/client.js";

/** The client, or the client inside an interactive transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** The SQLSTATE of a database error, from pg, or from Prisma's raw or model query errors. */
export function sqlErrorCode(e: unknown): string | undefined {
  const err = e as { code?: string; message?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  // Prisma errors carry their own codes (P2010, …) and the database's in meta or the message.
  const fromPrisma = err?.meta?.driverAdapterError?.cause?.originalCode ?? err?.meta?.code ?? /Code: `(\w+)`/.exec(err?.message ?? "")?.[1];
  if (fromPrisma) return fromPrisma;
  return typeof err?.code === "string" && /^[0-9A-Z]{5}$/.test(err.code) && !err.code.startsWith("P2") ? err.code : undefined;
}

/**
 * Errors a transaction may meet through no fault of the request, and that a retry fixes:
 * a unique race lost to a concurrent insert, a deadlock, a serialization failure.
 */
export function isRetryableConflict(e: unknown): boolean {
  const err = e as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  // Prisma's model queries report a unique violation as P2002 or by kind, not by SQLSTATE.
  if (err?.code === "P2002" || err?.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation") return true;
  const code = sqlErrorCode(e);
  return code === "23505" || code === "40P01" || code === "40001";
}

/** Runs `attempt` until it succeeds, retrying a retryable conflict up to three times. */
export async function retryingConflicts<T>(attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n < 3 && isRetryableConflict(e)) continue;
      throw e;
    }
  }
}
