import { spawn, type ChildProcess } from "node:child_process";
import { expect } from "vitest";
import { openProcessDatabase } from "./test-database.js";

// The gateway as `npm start` runs it: a real process on a real port.

export interface Started {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/** `npm start`'s command, on the embedded database unless env says otherwise. */
export function launch(env: Record<string, string>) {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, DATABASE_URL: "", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (err += d));
  return { proc, stdout: () => out, stderr: () => err };
}

/** Launches and waits until the gateway answers a request. */
export function start(env: Record<string, string>): Promise<Started> {
  const launched = launch(env);
  return new Promise((resolve, reject) => {
    launched.proc.on("exit", (code) => reject(new Error(`exited with ${code}: ${launched.stderr()}`)));
    const poll = setInterval(async () => {
      const m = /GraphQL at (http:\/\/\S+)\/graphql/.exec(launched.stderr());
      if (!m) return;
      clearInterval(poll);
      const res = await fetch(`${m[1]}/graphql?query=%7B__typename%7D`, { headers: { "x-graphql-yoga-csrf": "1" } });
      expect(res.status).toBe(200);
      launched.proc.removeAllListeners("exit");
      resolve({ ...launched, url: m[1]! });
    }, 25);
  });
}

export function exitCode(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.on("exit", (c) => resolve(c))));
}


/** A gateway process on a database of its own (openProcessDatabase); `stop` ends both. */
export type OwnGateway = Started & { stop(): Promise<void> };

export async function startOnOwnDatabase(prefix: string, env: Record<string, string>): Promise<OwnGateway> {
  const db = await openProcessDatabase(prefix);
  let gateway: Started;
  try {
    gateway = await start({ ...db.env, ...env });
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    ...gateway,
    async stop() {
      gateway.proc.kill("SIGTERM");
      await exitCode(gateway.proc);
      await db.close();
    },
  };
}
