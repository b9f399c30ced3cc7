import { fork } from "node:child_process";
import { connect, createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";

/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients send: simple
 * queries ('Q') and extended-protocol executions ('E'). Put one in front of each server
 * measured, so statements per request come from the wire, whatever the server's driver.
 *
 * It runs in a process of its own: in the load generator's process, autocannon's loop
 * delayed every database round trip and inflated the p99 of database-heavy pages.
 */
export interface PgCounter {
  port: number;
  statements(): Promise<number>;
  close(): Promise<void>;
}

export async function startPgCounter(targetHost: string, targetPort: number): Promise<PgCounter> {
  const child = fork(fileURLToPath(import.meta.url), [targetHost, String(targetPort)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  // Answers come in the order asked: the port first, then one count per "count".
  const waiting: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  child.on("message", (m) => waiting.shift()?.resolve(m as number));
  child.once("exit", () => waiting.splice(0).forEach((w) => w.reject(new Error("the statement counter exited"))));
  const answer = () => new Promise<number>((resolve, reject) => waiting.push({ resolve, reject }));
  const port = await answer();
  return {
    port,
    statements: () => {
      const n = answer();
      child.send("count");
      return n;
    },
    close: async () => {
      child.kill();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const proxy = await proxyCounting(process.argv[2]!, Number(process.argv[3]));
  process.on("message", () => process.send!(proxy.statements()));
  process.send(proxy.port);
}

async function proxyCounting(targetHost: string, targetPort: number) {
  let statements = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    upstream.pipe(client);
    // Client → server: the startup packet (and an SSLRequest) has no type byte; every later
    // message is a type byte and a 4-byte length that counts itself.
    let buffered = Buffer.alloc(0);
    let started = false;
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 8) break;
          const len = buffered.readInt32BE(0);
          if (buffered.length < len) break;
          const code = buffered.readInt32BE(4);
          buffered = buffered.subarray(len);
          if (code !== 80877103 && code !== 80877104) started = true; // not an SSL/GSS request
          continue;
        }
        if (buffered.length < 5) break;
        const len = buffered.readInt32BE(1);
        if (buffered.length < 1 + len) break;
        const type = String.fromCharCode(buffered[0]!);
        if (type === "Q" || type === "E") statements++;
        buffered = buffered.subarray(1 + len);
      }
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    statements: () => statements,
  };
}
