import type { Prisma, PrismaClient } from "../generated/prisma/client.js";

/** The client, or the client inside an interactive transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** Postgres unique_violation (23505), whether it arrives raw or as Prisma's P2002. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } };
  if (err?.code === "P2002") return true;
  const cause = err?.meta?.driverAdapterError?.cause;
  return cause?.originalCode === "23505" || cause?.kind === "UniqueConstraintViolation";
}

/**
 * Errors a transaction may meet through no fault of the request, and that a retry fixes:
 * a unique race lost to a concurrent insert, a deadlock, a serialization failure.
 */
export function isRetryableConflict(e: unknown): boolean {
  if (isUniqueViolation(e)) return true;
  const err = e as { code?: string; message?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  const code = err?.meta?.driverAdapterError?.cause?.originalCode ?? err?.meta?.code ?? /Code: `(\w+)`/.exec(err?.message ?? "")?.[1];
  return code === "40P01" || code === "40001";
}
