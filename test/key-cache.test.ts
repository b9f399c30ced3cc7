import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "../src/db/sql.js";
import { createApiKey } from "../src/domain/api-keys.js";
import { createAuthenticator, type Authenticator } from "../src/domain/key-cache.js";
import { openTestDatabase, type TestDatabase } from "./helpers/test-database.js";

// The gateway remembers keys it has checked; the database's notifications make it forget
// them. Every change here is made in plain SQL, as an operator or another replica would.

let db: TestDatabase;
let orgId: number;
const reads: string[] = [];
let sql: Sql;
const open: Authenticator[] = [];

beforeAll(async () => {
  db = await openTestDatabase();
  orgId = (await db.prisma.organization.create({ data: { slug: "cache", name: "Cache" } })).id;
  // Counts the statements that read a key; everything else passes through unchanged.
  sql = {
    ...db.sql,
    query: (text, params) => {
      if (/FROM api_keys k JOIN organizations/.test(text)) reads.push(String(params?.[0]));
      return db.sql.query(text, params);
    },
  };
});

afterAll(async () => {
  for (const a of open) await a.close();
  await db.close();
});

async function authenticator(opts: Parameters<typeof createAuthenticator>[2] = {}) {
  const a = await createAuthenticator(sql, db.listen, opts);
  open.push(a);
  return a;
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const bearer = (key: string) => `Bearer ${key}`;

describe("the key cache", () => {
  it("reads a key once, then answers from memory", async () => {
    const auth = await authenticator();
    const { key } = await createApiKey(db.prisma, orgId, { name: "k1" });
    reads.length = 0;
    for (let i = 0; i < 5; i++) expect((await auth.authenticate(bearer(key))).ok).toBe(true);
    expect(reads).toHaveLength(1);
  });

  it("reads a key once for the requests that arrive with it together", async () => {
    const auth = await authenticator();
    const { key } = await createApiKey(db.prisma, orgId, { name: "k1b" });
    reads.length = 0;
    const results = await Promise.all(Array.from({ length: 8 }, () => auth.authenticate(bearer(key))));
    expect(results.map((r) => r.ok)).toEqual(Array(8).fill(true));
    expect(reads).toHaveLength(1);
    // Unknown keys are not shared: each refusal is read again, in case the key was just made.
    const unknown = "mlps_" + "u".repeat(40);
    reads.length = 0;
    const refused = await Promise.all(Array.from({ length: 3 }, () => auth.authenticate(bearer(unknown))));
    expect(refused).toEqual(Array(3).fill({ ok: false, failure: "unknown" }));
    expect(reads).toHaveLength(3);
  });

  it("forgets a key revoked in plain SQL, without waiting for its time to live", async () => {
    const auth = await authenticator({ ttlMs: 3_600_000 });
    const { key, id } = await createApiKey(db.prisma, orgId, { name: "k2" });
    expect((await auth.authenticate(bearer(key))).ok).toBe(true);
    await db.sql.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
    await until(async () => !(await auth.authenticate(bearer(key))).ok, "the revocation");
    expect(await auth.authenticate(bearer(key))).toEqual({ ok: false, failure: "revoked" });
  });

  it("forgets a deleted key, and the keys of a renamed organization", async () => {
    const auth = await authenticator({ ttlMs: 3_600_000 });
    const other = await db.prisma.organization.create({ data: { slug: "renamed", name: "Before" } });
    const a = await createApiKey(db.prisma, orgId, { name: "k3" });
    const b = await createApiKey(db.prisma, other.id, { name: "k4" });
    expect((await auth.authenticate(bearer(a.key))).ok).toBe(true);
    expect(await auth.authenticate(bearer(b.key))).toMatchObject({ ok: true, caller: { organizationSlug: "renamed" } });
    await db.sql.query(`DELETE FROM api_keys WHERE id = $1`, [a.id]);
    await db.sql.query(`UPDATE organizations SET slug = 'after' WHERE id = $1`, [other.id]);
    await until(async () => !(await auth.authenticate(bearer(a.key))).ok, "the deletion");
    expect(await auth.authenticate(bearer(a.key))).toEqual({ ok: false, failure: "unknown" });
    await until(async () => {
      const r = await auth.authenticate(bearer(b.key));
      return r.ok && r.caller.organizationSlug === "after";
    }, "the rename");
  });

  it("refuses a cached key the moment it expires", async () => {
    let clock = Date.now();
    const auth = await authenticator({ now: () => clock, ttlMs: 3_600_000 });
    const { key } = await createApiKey(db.prisma, orgId, { name: "k5", expiresAt: new Date(clock + 60_000) });
    reads.length = 0;
    expect((await auth.authenticate(bearer(key))).ok).toBe(true);
    clock += 60_001;
    expect(await auth.authenticate(bearer(key))).toEqual({ ok: false, failure: "expired" });
    expect(reads).toHaveLength(1); // decided from memory
  });

  it("writes lastUsedAt at most once a minute per key", async () => {
    let clock = Date.now();
    const auth = await authenticator({ now: () => clock });
    const { key, id } = await createApiKey(db.prisma, orgId, { name: "k6" });
    const lastUsed = async () => (await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime() ?? null;
    await auth.authenticate(bearer(key));
    await until(async () => (await lastUsed()) === clock, "the first use");
    const first = clock;
    for (let i = 0; i < 70; i++) {
      clock += 1_000;
      await auth.authenticate(bearer(key));
    }
    // 70 uses over 70 s: written again once, at the first use more than a minute after the first.
    await until(async () => (await lastUsed()) === first + 61_000, "the second write");
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastUsed()).toBe(first + 61_000);
  });

  it("does not cache while it cannot hear the database", async () => {
    const auth = await authenticator();
    const { key } = await createApiKey(db.prisma, orgId, { name: "k7" });
    await auth.close(); // the channel is gone: from now on every request reads its key
    reads.length = 0;
    for (let i = 0; i < 3; i++) expect((await auth.authenticate(bearer(key))).ok).toBe(true);
    expect(reads).toHaveLength(3);
  });

  it("never caches a refusal: a key made after a failed attempt works at once", async () => {
    const auth = await authenticator();
    const key = "mlps_" + "x".repeat(40);
    expect(await auth.authenticate(bearer(key))).toEqual({ ok: false, failure: "unknown" });
    await createApiKey(db.prisma, orgId, { name: "k8", key });
    expect((await auth.authenticate(bearer(key))).ok).toBe(true);
  });
});
