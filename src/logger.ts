import type { LogLevel } from "./config.js";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, extra?: object): void;
  info(msg: string, extra?: object): void;
  warn(msg: string, extra?: object): void;
  error(msg: string, extra?: object): void;
}

/** One line per entry on stderr; stdout stays free for what a user must read (the bootstrap key). */
export function createLogger(level: LogLevel): Logger {
  const write = (at: Exclude<LogLevel, "silent">) => (msg: string, extra?: object) => {
    if (rank[at] < rank[level]) return;
    const tail = extra ? " " + JSON.stringify(extra) : "";
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} ${msg}${tail}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
