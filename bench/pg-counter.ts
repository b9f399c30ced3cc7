import { connect, createServer, type Server } from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients send: simple
 * queries ('Q') and extended-protocol executions ('E'). Put one in front of each server
 * measured, so statements per request come from the wire, whatever the server's driver.
 */
export interface PgCounter {
  port: number;
  statements(): number;
  close(): Promise<void>;
}

export async function startPgCounter(targetHost: string, targetPort: number): Promise<PgCounter> {
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
