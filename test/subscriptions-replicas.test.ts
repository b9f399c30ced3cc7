import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/domain/api-keys.js";
import { exitCode, start, type Started } from "./helpers/gateway-process.js";
import { readSse } from "./helpers/sse.js";
import { openTestDatabase } from "./helpers/test-database.js";

// Two gateway processes on one PostgreSQL with REDIS_URL: a subscriber on replica A hears
// a write made through replica B. PostgreSQL only: two processes cannot share a PGlite.
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe.skipIf(!process.env.DATABASE_URL)("two replicas behind Redis", () => {
  const replicas: Started[] = [];
  afterAll(async () => {
    for (const r of replicas) {
      r.proc.kill("SIGTERM");
      await exitCode(r.proc);
    }
  });

  it("a client on replica A sees a run created through replica B", async () => {
    const db = await openTestDatabase();
    afterAll(() => db.close());
    const org = await db.prisma.organization.create({ data: { slug: "acme", name: "acme" } });
    const { key } = await createApiKey(db.prisma, org.id, { name: "k" });
    const env = { DATABASE_URL: db.url!, REDIS_URL, LOG_LEVEL: "info" };
    const [a, b] = await Promise.all([start(env), start(env)]);
    replicas.push(a!, b!);
    const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
    const project = `replicas-${Date.now()}`;

    const abort = new AbortController();
    const res = await fetch(`${a!.url}/graphql`, {
      method: "POST",
      headers: { ...headers, accept: "text/event-stream" },
      body: JSON.stringify({ query: `subscription($p:String!){ runStateChanged(projectName:$p){ runId toState } }`, variables: { p: project } }),
      signal: abort.signal,
    });
    const sub = readSse(res, abort);

    // Redis subscribes asynchronously: write until the subscriber hears one (bounded).
    const created: number[] = [];
    let heard: { runId: number; toState: string } | undefined;
    for (let i = 0; i < 20 && !heard; i++) {
      const r = await fetch(`${b!.url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: `mutation($p:String!){ createRun(input:{projectName:$p, name:"r"}){ ... on CreateRunSuccess { run { runId } } } }`, variables: { p: project } }),
      }).then((x) => x.json() as Promise<any>);
      created.push(r.data.createRun.run.runId);
      heard = await sub.next(250).then((e) => e.data.runStateChanged, () => undefined);
    }
    sub.close();
    expect(heard).toBeDefined();
    expect(created).toContain(heard!.runId);
    expect(heard!.toState).toBe("RUNNING");
  });
});
