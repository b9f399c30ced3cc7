import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a server (PostgreSQL), to take it away and bring it back without
 * touching the real one that other tests share: `down()` refuses new connections and cuts
 * the open ones, as a stopped database does; `silent()` cuts the open ones and accepts new
 * ones that never answer, as an overloaded server or a black-holed route does; `up()` serves
 * again on the same port.
 */
export interface TcpProxy {
  port: number;
  down(): Promise<void>;
  silent(): void;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let answering = true;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        if (!answering) {
          sockets.add(client);
          client.on("close", () => sockets.delete(client));
          client.on("error", () => {});
          return;
        }
        const upstream = connect(targetPort, targetHost);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    down,
    silent() {
      answering = false;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      answering = true;
      return server ? Promise.resolve() : listen();
    },
    close: down,
  };
}
