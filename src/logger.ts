import type { LogLevel } from "./config.js";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: unknown, ...extra: unknown[]): void;
  info(msg: unknown, ...extra: unknown[]): void;
  warn(msg: unknown, ...extra: unknown[]): void;
  error(msg: unknown, ...extra: unknown[]): void;
}

// Yoga hands errors (with their original error and stack) to the logger: keep the cause.
function describe(v: unknown): string {
  if (v instanceof Error) {
    const original = (v as { originalError?: unknown }).originalError;
    return (original instanceof Error ? original.stack : undefined) ?? v.stack ?? v.message;
  }
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** One line per entry on stderr; stdout stays free for what a user must read (the bootstrap key). */
export function createLogger(level: LogLevel): Logger {
  const write =
    (at: Exclude<LogLevel, "silent">) =>
    (msg: unknown, ...extra: unknown[]) => {
      if (rank[at] < rank[level]) return;
      const text = [msg, ...extra].map(describe).join(" ");
      process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} ${text}\n`);
    };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
