import type { Sql } from "../db/sql.js";
import type { Listen } from "../db/notifications.js";
import { checkKey, keyHashOf, readKey, type AuthResult, type KeyRecord } from "./api-keys.js";

// Every request authenticates; reading its key costs a statement, which is a third of a
// cheap request's database time. Keys the database has confirmed are kept in memory for up
// to `ttlMs`, and forgotten the moment the database says they changed: a trigger
// (migration auth_change_notify) notifies `gateway_auth` on revocation, expiry, deletion,
// or a change to the key's organization. Expiry is checked on every request against the
// remembered time. While the notification channel is down nothing is cached, so a
// revocation is never missed; only keys that exist are cached, so a new key works at once.
// Requests that arrive with the same uncached key while it is being read share that read: at
// start, or when a busy key's time to live runs out, 32 requests at once would otherwise
// open as many connections to read one row.

export const AUTH_CHANNEL = "gateway_auth";

/** `lastUsedAt` is written at most this often per key: a write on every request would cost more than the request. */
const LAST_USED_GRANULARITY_MS = 60_000;

interface Entry {
  key: KeyRecord;
  cachedAt: number;
}

export interface KeyCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export interface Authenticator {
  authenticate(authorization: string | null | undefined): Promise<AuthResult>;
  close(): Promise<void>;
}

export async function createAuthenticator(sql: Sql, listen: Listen | null, opts: KeyCacheOptions = {}): Promise<Authenticator> {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  /** Reads in flight, by key hash, with the generation they started in. */
  const reading = new Map<string, { key: Promise<KeyRecord | null>; generation: number }>();
  let live = false;
  // Bumped by every notification and every loss of the channel: a read that started before
  // a change must not store what it read after the change was announced.
  let generation = 0;

  const forget = (payload: string) => {
    generation++;
    if (payload.startsWith("key:")) entries.delete(payload.slice(4));
    else if (payload.startsWith("org:")) {
      const orgId = Number(payload.slice(4));
      for (const [hash, e] of entries) if (e.key.caller.organizationId === orgId) entries.delete(hash);
    } else entries.clear();
  };

  const unlisten = listen
    ? await listen(AUTH_CHANNEL, {
        onMessage: forget,
        onLive(isLive) {
          generation++;
          entries.clear();
          live = isLive;
        },
      })
    : async () => {};

  /** Checks the key; a use is written to lastUsedAt at most once a minute per key (coalesced). */
  const use = (key: KeyRecord, t: number): AuthResult => {
    const result = checkKey(key, t);
    if (result.ok && (key.lastUsedAt == null || t - key.lastUsedAt > LAST_USED_GRANULARITY_MS)) {
      key.lastUsedAt = t;
      void sql.query(`UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, [new Date(t), key.caller.apiKeyId]).catch(() => {});
    }
    return result;
  };

  return {
    async authenticate(authorization) {
      const parsed = keyHashOf(authorization);
      if (!parsed.ok) return parsed;
      const t = now();
      const hit = entries.get(parsed.hash);
      if (hit && t - hit.cachedAt < ttlMs) return use(hit.key, t);
      let read = reading.get(parsed.hash);
      const joined = read !== undefined;
      if (!read) {
        const started = { key: readKey(sql, parsed.hash), generation };
        reading.set(parsed.hash, started);
        // Only this read is in flight for the hash until it settles: a new one starts after.
        const done = () => void reading.delete(parsed.hash);
        started.key.then(done, done);
        read = started;
      }
      let key = await read.key;
      // A refusal read before this request arrived may predate the key's creation.
      if (!key && joined) key = await readKey(sql, parsed.hash);
      if (!key) return { ok: false, failure: "unknown" };
      const result = use(key, t);
      if (live && read.generation === generation && result.ok) {
        entries.delete(parsed.hash);
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(parsed.hash, { key, cachedAt: t });
      }
      return result;
    },
    close: unlisten,
  };
}
