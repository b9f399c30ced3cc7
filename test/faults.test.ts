import pg from "pg";
import { describe, expect, it } from "vitest";
import { UNAVAILABLE_MESSAGE } from "../src/db/unavailable.js";
import { listen } from "./helpers/http.js";
import { createTestApp } from "./helpers/test-app.js";
import { openTestDatabase, type TestDatabase } from "./helpers/test-database.js";

// The database drops the gateway's connections in the middle of a create load (a
// failover, an operator's pg_terminate_backend). The gateway must keep serving once the
// database answers, and every create it answered 200 must be in the database.

describe.skipIf(!process.env.DATABASE_URL)("PostgreSQL connections terminated under load", () => {
  it("every 200 is stored, failures are clean 503s, and the next requests succeed", async () => {
    const app = await createTestApp();
    const org = await app.org("faults");
    const base = await listen(app.yoga);
    const admin = new pg.Client({ connectionString: app.db.url });
    await admin.connect();
    const create = async (i: number) => {
      const res = await fetch(`${base}/api/runs/create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${org.key}` },
        body: JSON.stringify({ runName: `r${i}`, projectName: `p${i % 4}`, externalId: `job-${i}` }),
      });
      return { i, status: res.status, body: (await res.json()) as any };
    };

    let terminated = 0;
    const load = Promise.all(Array.from({ length: 300 }, (_, i) => new Promise((r) => setTimeout(r, i)).then(() => create(i))));
    for (let k = 0; k < 3; k++) {
      await new Promise((r) => setTimeout(r, 60));
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      terminated += killed.rowCount ?? 0;
    }
    const answers = await load;
    expect(terminated).toBeGreaterThan(0);

    const ok = answers.filter((a) => a.status === 200);
    const failed = answers.filter((a) => a.status !== 200);
    // A request caught by a dropped connection fails whole, with a 503 the client retries.
    for (const f of failed) expect({ status: f.status, body: f.body }).toEqual({ status: 503, body: { error: "Service Unavailable", message: UNAVAILABLE_MESSAGE } });
    expect(ok.length).toBeGreaterThan(0);

    // Every run answered 200 is stored, once, under its externalId.
    const stored = await admin.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM runs WHERE organization_id = $1`, [org.id]);
    const byExternal = new Map(stored.rows.map((r) => [r.external_id, r.id]));
    for (const a of ok) expect(byExternal.get(`job-${a.i}`)).toBe(a.body.runId);
    expect(stored.rows.length).toBe(new Set(stored.rows.map((r) => r.external_id)).size);

    // The gateway serves again: retrying the failed creates (as clients do) succeeds, and
    // one whose write had landed before its connection dropped resumes instead of doubling.
    const retried = await Promise.all(failed.map((f) => create(f.i)));
    expect(retried.map((r) => r.status)).toEqual(failed.map(() => 200));
    const after = await admin.query(`SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS d FROM runs WHERE organization_id = $1`, [org.id]);
    expect(after.rows[0]).toEqual({ n: 300, d: 300 });
    await admin.end();
  });
});

describe.skipIf(!process.env.DATABASE_URL)("PostgreSQL connections left idle", () => {
  it("stay open past pg-pool's default idle timeout of 10 s", { timeout: 20_000 }, async () => {
    const db = await openTestDatabase();
    try {
      const backends = async () =>
        (await Promise.all([db.sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)"), db.sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")]))
          .map(([r]) => r!.pid)
          .sort();
      const before = await backends();
      expect(new Set(before).size).toBe(2);
      await new Promise((r) => setTimeout(r, 10_500));
      expect(db.poolStats!().idle).toBeGreaterThanOrEqual(2);
      expect(await backends()).toEqual(before);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)("PostgreSQL dropping idle connections", () => {
  // A dropped idle connection is an error event on its pool, and an unheard error event
  // ends the process. Prisma listens on the pool it shares only while it is connected:
  // before its first query and after $disconnect, the pool must not be left unheard.
  it.each([
    ["before Prisma's first query", async (_db: TestDatabase) => {}],
    ["after Prisma disconnects", async (db: TestDatabase) => {
      await db.prisma.organization.count();
      await db.prisma.$disconnect();
    }],
  ])("%s, the gateway keeps serving", async (_, prepare) => {
    const db = await openTestDatabase();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await prepare(db);
      await Promise.all([db.sql.query("SELECT pg_sleep(0.05)"), db.sql.query("SELECT pg_sleep(0.05)")]);
      expect(db.poolStats!().idle).toBeGreaterThanOrEqual(2);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      for (let i = 0; i < 100 && db.poolStats!().idle > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(db.poolStats!().idle).toBe(0);
      expect(await db.sql.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await db.close();
    }
  });
});
