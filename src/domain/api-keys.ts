import { createHash, randomInt } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";

// API keys (run-model.md, "API key"): `mlps_` + base62, only a SHA-256 hash is stored.

export const KEY_PREFIX = "mlps_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_SHAPE = /^mlps_[A-Za-z0-9]{32,}$/;

export function generateApiKey(length = 40): string {
  let body = "";
  for (let i = 0; i < length; i++) body += BASE62[randomInt(BASE62.length)];
  return KEY_PREFIX + body;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function keyPreview(key: string): string {
  return `${key.slice(0, KEY_PREFIX.length + 4)}…`;
}

/** Why a request is not authenticated; the REST layer answers each with Pluto's body. */
export type AuthFailure = "missing" | "malformed" | "unknown" | "expired" | "revoked";

export const AUTH_FAILURE_MESSAGES: Record<AuthFailure, string | undefined> = {
  missing: undefined,
  malformed: "Invalid API key",
  unknown: "Key not found",
  expired: "API key has expired",
  revoked: "API key has been revoked",
};

export interface Caller {
  organizationId: number;
  organizationSlug: string;
  organizationName: string;
  apiKeyId: number;
  apiKeyName: string;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; failure: AuthFailure };

export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(.*)$/i.exec(authorization.trim());
  const token = m?.[1]?.trim();
  return token ? token : null;
}

/** What the database says of a key: enough to decide on every later request without it. */
export interface KeyRecord {
  caller: Caller;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** Reads the key with this hash and its organization: one joined statement. */
export async function readKey(sql: Sql, keyHash: string): Promise<KeyRecord | null> {
  const [key] = await sql.query<{
    id: number;
    name: string;
    organization_id: number;
    slug: string;
    org_name: string;
    last_used_at: Date | null;
    expires_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT k.id, k.name, k.organization_id, o.slug, o.name AS org_name, k.last_used_at, k.expires_at, k.revoked_at
     FROM api_keys k JOIN organizations o ON o.id = k.organization_id
     WHERE k.key_hash = $1`,
    [keyHash],
    "read_key",
  );
  if (!key) return null;
  const time = (d: Date | null) => (d ? new Date(d).getTime() : null);
  return {
    caller: {
      organizationId: key.organization_id,
      organizationSlug: key.slug,
      organizationName: key.org_name,
      apiKeyId: key.id,
      apiKeyName: key.name,
    },
    expiresAt: time(key.expires_at),
    revokedAt: time(key.revoked_at),
    lastUsedAt: time(key.last_used_at),
  };
}

/** The checks every request makes, whether the key came from the database or a cache. */
export function checkKey(key: KeyRecord, now: number): AuthResult {
  if (key.revokedAt != null && key.revokedAt <= now) return { ok: false, failure: "revoked" };
  if (key.expiresAt != null && key.expiresAt <= now) return { ok: false, failure: "expired" };
  return { ok: true, caller: key.caller };
}

/** Parses the header; a failure here needs no database. Otherwise the hash to look up. */
export function keyHashOf(authorization: string | null | undefined): { ok: false; failure: AuthFailure } | { ok: true; hash: string } {
  const token = bearerToken(authorization);
  if (!token) return { ok: false, failure: "missing" };
  if (!token.startsWith(KEY_PREFIX)) return { ok: false, failure: "malformed" };
  // A key of the right prefix but the wrong shape cannot exist: answer as unknown, without a lookup.
  if (!KEY_SHAPE.test(token)) return { ok: false, failure: "unknown" };
  // Lookup by the hash of the key: nothing secret is compared byte by byte in JS.
  return { ok: true, hash: hashApiKey(token) };
}

export async function createApiKey(
  prisma: PrismaClient,
  organizationId: number,
  opts: { name: string; key?: string; expiresAt?: Date | null },
): Promise<{ key: string; id: number }> {
  const key = opts.key ?? generateApiKey();
  const row = await prisma.apiKey.create({
    data: { organizationId, name: opts.name, keyHash: hashApiKey(key), preview: keyPreview(key), expiresAt: opts.expiresAt ?? null },
  });
  return { key, id: row.id };
}
