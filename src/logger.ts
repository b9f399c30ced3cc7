import { AsyncLocalStorage } from "node:async_hooks";
import { destination as toFd, pino, stdTimeFunctions, type DestinationStream } from "pino";
import type { LogLevel } from "./config.js";

// Structured logs: one JSON object per line on stderr (stdout stays free for what a user
// must read: the bootstrap key). Every line written while a request is handled carries its
// request id; API keys never reach a line, whatever field or message they hide in.

export interface Logger {
  debug(msg: unknown, ...extra: unknown[]): void;
  info(msg: unknown, ...extra: unknown[]): void;
  warn(msg: unknown, ...extra: unknown[]): void;
  error(msg: unknown, ...extra: unknown[]): void;
  /** One structured entry: fields first, then a short message. */
  event(level: Exclude<LogLevel, "silent">, fields: Record<string, unknown>, msg: string): void;
}

/** The request being handled, for the lines logged on its behalf (set by app.ts). */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

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
      mixin: () => {
        const scope = requestScope.getStore();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    destination,
  );
  const write =
    (at: Exclude<LogLevel, "silent">) =>
    (msg: unknown, ...extra: unknown[]) => {
      if (!log.isLevelEnabled(at)) return;
      log[at](scrub([msg, ...extra].map(describe).join(" ")));
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
