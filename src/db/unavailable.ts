// "The database cannot be reached right now": a stopped or restarting PostgreSQL, a
// failover, a connection cut in flight, a full server. Not the request's fault, and a retry
// a moment later may succeed, so clients get 503 with Retry-After (REST) or the typed
// DATABASE_UNAVAILABLE error (GraphQL), not a 500.

export const UNAVAILABLE_MESSAGE = "The database is unavailable: retry shortly.";
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;
/** The GraphQL error code of the condition. */
export const UNAVAILABLE_CODE = "DATABASE_UNAVAILABLE";

/** Thrown where a layer has already recognised the condition (e.g. in a GraphQL result). */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  constructor() {
    super(UNAVAILABLE_MESSAGE);
  }
}

const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// SQLSTATE: admin or crash shutdown, cannot connect now, too many connections.
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
// Prisma's driver adapters' names for the same conditions.
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// pg's own errors carry no code. "timeout expired" is node-postgres's word for a connection
// attempt that ran past its bound (connectionTimeoutMillis): a server that accepts but does
// not answer, or answers too slowly.
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|^timeout expired$|Client has encountered a connection error|Connection is closed/;

function matches(e: object): boolean {
  if (e instanceof DatabaseUnavailableError) return true;
  const err = e as { code?: unknown; kind?: unknown; message?: unknown };
  if (typeof err.code === "string" && (SOCKET_CODES.has(err.code) || SQLSTATES.has(err.code) || err.code.startsWith("08"))) return true;
  if (typeof err.kind === "string" && ADAPTER_KINDS.has(err.kind)) return true;
  return typeof err.message === "string" && PG_MESSAGES.test(err.message);
}

/** True when the error, or one it wraps (GraphQL, Prisma, driver), means the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<object>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    if (matches(e)) return true;
    const w = e as { originalError?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; errors?: unknown };
    queue.push(w.originalError, w.cause, w.meta?.driverAdapterError);
    if (Array.isArray(w.errors)) queue.push(...w.errors);
  }
  return false;
}
