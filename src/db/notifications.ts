import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

// PostgreSQL LISTEN, on either database. A listener is told every message on its channel,
// and told when messages may have been missed: from the moment its connection is lost
// until it listens again. What it caches from the database is only safe while `live`.

export interface ChannelListener {
  onMessage(payload: string): void;
  /** false: messages may be lost from now on; true: listening again (after a loss). */
  onLive(live: boolean): void;
}

export type Listen = (channel: string, listener: ChannelListener) => Promise<() => Promise<void>>;

/** PGlite: notifications of the one in-process instance, which cannot lose them. */
export function pgliteListen(pglite: PGlite): Listen {
  return async (channel, listener) => {
    const unlisten = await pglite.listen(channel, (payload) => listener.onMessage(payload));
    listener.onLive(true);
    return async () => {
      listener.onLive(false);
      await unlisten().catch(() => {});
    };
  };
}

/**
 * PostgreSQL: a connection of its own (a pooled one cannot keep LISTEN), re-opened after a
 * loss with a growing pause, up to 5 s.
 */
export function postgresListen(connectionString: string, onError: (e: unknown) => void = () => {}): Listen {
  return async (channel, listener) => {
    let client: pg.Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let pause = 100;

    const discard = (c: pg.Client) => {
      c.removeAllListeners();
      c.on("error", () => {});
      void c.end().catch(() => {});
    };
    const scheduleRetry = () => {
      if (stopped || retry) return;
      retry = setTimeout(connect, pause);
      retry.unref();
      pause = Math.min(pause * 2, 5_000);
    };
    const lost = (e?: unknown) => {
      if (client) {
        discard(client);
        client = undefined;
        listener.onLive(false);
      }
      if (e) onError(e);
      scheduleRetry();
    };

    async function connect(): Promise<void> {
      retry = undefined;
      const c = new pg.Client({ connectionString });
      c.on("error", () => {}); // a failed connect rejects below; later errors are handled once listening
      c.on("notification", (n) => n.channel === channel && listener.onMessage(n.payload ?? ""));
      try {
        await c.connect();
        await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      } catch (e) {
        discard(c);
        return lost(e);
      }
      if (stopped) return discard(c);
      c.on("error", (e) => c === client && lost(e));
      c.on("end", () => c === client && lost());
      client = c;
      pause = 100;
      listener.onLive(true);
    }

    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (client) discard(client);
      client = undefined;
      listener.onLive(false);
    };
  };
}
