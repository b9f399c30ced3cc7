import { destination as toFd, pino, stdTimeFunctions, type DestinationStream } from "pino";
import type { LogLevel } from "./config.js";

// Structured logs: one JSON object per line on stderr (stdout stays free for what a user
// must read: the bootstrap key). Lines written for a request carry its request id; API keys
// never reach a line, whatever field or message they hide in.
//
// The request id travels explicitly (in event fields, tagRequest), not in an AsyncLocalStorage:
// on Node 20 the promise hooks it turns on cost 10-15% of the create path's throughput.

export interface Logger {
  debug(msg: unknown, ...extra: unknown[]): void;
  info(msg: unknown, ...extra: unknown[]): void;
  warn(msg: unknown, ...extra: unknown[]): void;
  error(msg: unknown, ...extra: unknown[]): void;
  /** One structured entry: fields first, then a short message. */
  event(level: Exclude<LogLevel, "silent">, fields: Record<string, unknown>, msg: string): void;
}

// Yoga logs the errors it masks without their request: an error remembers the request it
// failed in, and the logger finds the id there.
const requestOfError = new WeakMap<object, string>();

/** Marks an error (and the error it wraps) as raised while handling this request. */
export function tagRequest(error: unknown, requestId: string | undefined): void {
  if (!requestId || typeof error !== "object" || error === null) return;
  requestOfError.set(error, requestId);
  const original = (error as { originalError?: unknown }).originalError;
  if (typeof original === "object" && original !== null) requestOfError.set(original, requestId);
}

function taggedRequest(values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === "object" && v !== null && requestOfError.has(v)) return requestOfError.get(v);
  return undefined;
}

const KEY = /mlps_[A-Za-z0-9]+/g;
const scrub = (text: string) => text.replace(KEY, "mlps_[REDACTED]");

// Yoga hands errors (with their original error and stack) to the logger: keep the cause.
function describe(v: unknown): string {
  if (v instanceof Error) {
    const original = (v as { originalError?: unknown }).originalError;
    return (original instanceof Error ? original.stack : undefined) ?? v.stack ?? v.message;
  }
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function createLogger(level: LogLevel, destination: DestinationStream = toFd({ fd: 2, sync: true })): Logger {
  const log = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ["authorization", "*.authorization", "headers.authorization", "*.headers.authorization", "key", "*.key", "apiKey", "*.apiKey", "password", "*.password"],
        censor: "[REDACTED]",
      },
    },
    destination,
  );
  const write =
    (at: Exclude<LogLevel, "silent">) =>
    (msg: unknown, ...extra: unknown[]) => {
      if (!log.isLevelEnabled(at)) return;
      const values = [msg, ...extra];
      const requestId = taggedRequest(values);
      const text = scrub(values.map(describe).join(" "));
      if (requestId) log[at]({ requestId }, text);
      else log[at](text);
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    event: (at, fields, msg) => {
      if (!log.isLevelEnabled(at)) return;
      log[at](JSON.parse(scrub(JSON.stringify(fields))) as object, scrub(msg));
    },
  };
}
