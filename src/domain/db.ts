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
