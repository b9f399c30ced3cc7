import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../src/domain/api-keys.js";
import { exitCode, start, type Started } from "./helpers/gateway-process.js";
import { openTestDatabase } from "./helpers/test-database.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";

// PostgreSQL goes away for a while (a restart, a failover): the gateway answers at once
// with a clear 503 (REST) or a typed DATABASE_UNAVAILABLE error (GraphQL) instead of
// hanging, /readyz says so, /healthz does not, and service comes back by itself.

describe.skipIf(!process.env.DATABASE_URL)("PostgreSQL unavailable", () => {
  let proxy: TcpProxy;
  let gateway: Started;
  let closeDb: () => Promise<void>;
  const key = generateApiKey();

  beforeAll(async () => {
    const db = await openTestDatabase();
    closeDb = () => db.close();
    const url = new URL(db.url!);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    gateway = await start({ DATABASE_URL: url.toString(), BOOTSTRAP_API_KEY: key });
  });
  afterAll(async () => {
    gateway.proc.kill("SIGTERM");
    await exitCode(gateway.proc);
    await proxy.close();
    await closeDb();
  });

  const timed = async <T>(f: () => Promise<T>) => {
    const t0 = performance.now();
    const value = await f();
    return { value, ms: performance.now() - t0 };
  };
  const create = (name: string) =>
    fetch(`${gateway.url}/api/runs/create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ runName: name, projectName: "outage" }),
    });
  const query = () =>
    fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ project(name: \"outage\") { runCount } }" }),
    });

  it("fails fast with 503 and a typed error, reports it in /readyz, and recovers by itself", async () => {
    expect((await create("before")).status).toBe(200);

    await proxy.down();
    const rest = await timed(() => create("during"));
    expect(rest.value.status).toBe(503);
    expect(rest.value.headers.get("retry-after")).toBe("1");
    expect(await rest.value.json()).toEqual({ error: "Service Unavailable", message: "The database is unavailable: retry shortly." });
    expect(rest.ms).toBeLessThan(3000);

    const gql = await timed(() => query());
    expect(gql.value.status).toBe(503);
    const body = (await gql.value.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(["DATABASE_UNAVAILABLE"]);
    expect(JSON.stringify(body)).not.toMatch(/ECONN|127\.0\.0\.1|stack|prisma/i);
    expect(gql.ms).toBeLessThan(3000);

    const ready = await timed(() => fetch(`${gateway.url}/readyz`));
    expect(ready.value.status).toBe(503);
    expect(ready.ms).toBeLessThan(3000);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);

    await proxy.up();
    const back = performance.now();
    let recoveredMs = Infinity;
    while (performance.now() - back < 10_000) {
      const res = await create(`after-${Math.round(performance.now())}`);
      if (res.status === 200) {
        recoveredMs = performance.now() - back;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(recoveredMs).toBeLessThan(2000);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    expect((await query()).status).toBe(200);
    // Nothing of the refused request was written.
    const runs = (await (await query()).json()) as { data: { project: { runCount: number } } };
    expect(runs.data.project.runCount).toBe(2);
  });

  // Opening a connection is bounded (3 s, src/db/database.ts); node-postgres reports the
  // bound as a bare "timeout expired", which once reached clients as an internal error.
  it("answers 503 when PostgreSQL accepts connections but does not answer them", async () => {
    expect((await create("before-silence")).status).toBe(200);

    proxy.silent();
    const [rest, gql] = await Promise.all([timed(() => create("during-silence")), timed(() => query())]);
    expect(rest.value.status).toBe(503);
    expect(await rest.value.json()).toEqual({ error: "Service Unavailable", message: "The database is unavailable: retry shortly." });
    expect(gql.value.status).toBe(503);
    const body = (await gql.value.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(["DATABASE_UNAVAILABLE"]);
    // The bound of one connection attempt, not a hang.
    expect(Math.max(rest.ms, gql.ms)).toBeLessThan(8000);

    await proxy.up();
    let status = 0;
    const back = performance.now();
    while (performance.now() - back < 10_000 && status !== 200) {
      status = (await create(`after-silence-${Math.round(performance.now())}`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    const runs = (await (await query()).json()) as { data: { project: { runCount: number } } };
    expect(runs.data.project.runCount).toBe(4);
  }, 30_000);
});
