import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";
import type { Gateway } from "../../src/server.js";
import { attachWebSocket } from "../../src/websocket.js";

/** Serves the gateway on a real HTTP port for the file's tests; returns its base URL. */
export async function listen(yoga: Gateway): Promise<string> {
  const server = createServer(yoga);
  const websocket = attachWebSocket(server, yoga);
  afterAll(() => websocket.close());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface RestAnswer {
  status: number;
  body: any;
}

export function restClient(base: string) {
  return async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<RestAnswer> => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) };
  };
}
