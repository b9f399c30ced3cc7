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

/** `lastUsedAt` is written at most this often per key: a write on every request would cost more than the request. */
const LAST_USED_GRANULARITY_MS = 60_000;

export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(.*)$/i.exec(authorization.trim());
  const token = m?.[1]?.trim();
  return token ? token : null;
}

export async function authenticate(sql: Sql, authorization: string | null | undefined, now = new Date()): Promise<AuthResult> {
  const token = bearerToken(authorization);
  if (!token) return { ok: false, failure: "missing" };
  if (!token.startsWith(KEY_PREFIX)) return { ok: false, failure: "malformed" };
  // A key of the right prefix but the wrong shape cannot exist: answer as unknown, without a lookup.
  if (!KEY_SHAPE.test(token)) return { ok: false, failure: "unknown" };
  // Lookup by the hash of the key: nothing secret is compared byte by byte in JS. One
  // joined statement: this runs on every authenticated request.
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
    [hashApiKey(token)],
  );
  if (!key) return { ok: false, failure: "unknown" };
  if (key.revoked_at && new Date(key.revoked_at) <= now) return { ok: false, failure: "revoked" };
  if (key.expires_at && new Date(key.expires_at) <= now) return { ok: false, failure: "expired" };
  if (!key.last_used_at || now.getTime() - new Date(key.last_used_at).getTime() > LAST_USED_GRANULARITY_MS) {
    void sql.query(`UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, [now, key.id]).catch(() => {});
  }
  return {
    ok: true,
    caller: {
      organizationId: key.organization_id,
      organizationSlug: key.slug,
      organizationName: key.org_name,
      apiKeyId: key.id,
      apiKeyName: key.name,
    },
  };
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
