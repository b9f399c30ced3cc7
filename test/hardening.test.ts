import { request } from "node:http";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../src/domain/rate-limit.js";
import { NESTED_HISTORY } from "../src/graphql/example-query.js";
import { listen } from "./helpers/http.js";
import { createRunOk } from "./helpers/runs.js";
import { PUBLIC_URL, createTestApp } from "./helpers/test-app.js";

// Limits a public gateway needs (issue 6): query cost, introspection switch, CSRF, body
// size, persisted operations, rate limits per API key on GraphQL and REST alike.

const post = (base: string, path: string, body: string, headers: Record<string, string>) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("query cost", () => {
  it("counts page sizes (literals and variables), refuses above the limit, and accepts the frontend's page", async () => {
    const app = await createTestApp({ queryLimits: { maxDepth: 14, maxAliases: 30, maxTokens: 5000, maxDirectives: 50, maxCost: 20_000, introspection: true } });
    const acme = await app.org("acme");
    expect((await acme.gql(NESTED_HISTORY)).errors).toBeUndefined();
    const big = `query($n:Int){ projects(first: 100) { nodes { runs(first: $n) { nodes { stateHistory(first: 50) { nodes { toState at } } } } } } }`;
    const refused = await acme.gql(big, { n: 100 });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: "COST_LIMIT_EXCEEDED", limit: 20_000, cost: expect.any(Number) } });
    expect(refused.errors![0]!.extensions!.cost).toBeGreaterThan(100 * 100 * 50);
    expect(refused.data).toBeUndefined();
    expect((await acme.gql(big, { n: 1 })).errors).toBeUndefined(); // 100 × 1 × 50 pages: fine
  });
});

describe("introspection", () => {
  it("is on by default and can be switched off", async () => {
    const open = await createTestApp();
    expect((await (await open.org("a")).gql("{ __schema { queryType { name } } }")).data.__schema.queryType.name).toBe("Query");
    const closed = await createTestApp({ queryLimits: { maxDepth: 14, maxAliases: 30, maxTokens: 5000, maxDirectives: 50, maxCost: 100_000, introspection: false } });
    const org = await closed.org("a");
    expect((await org.gql("{ __schema { queryType { name } } }")).errors?.[0]?.message).toMatch(/introspection/i);
    expect((await org.gql("{ viewer { organization { slug } } }")).data.viewer.organization.slug).toBe("a");
  });
});

describe("CSRF, body size", () => {
  it("refuses a simple cross-site request (GET without a header, POST as a form) and an oversized body", async () => {
    const app = await createTestApp({ maxBodyBytes: 10_000 });
    const org = await app.org("acme");
    const base = await listen(app.yoga);
    expect((await fetch(`${base}/graphql?query=%7B__typename%7D`)).status).toBe(403);
    expect((await fetch(`${base}/graphql?query=%7B__typename%7D`, { headers: { "x-graphql-yoga-csrf": "1" } })).status).toBe(200);
    expect((await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"query":"{ __typename }"}' })).status).toBe(403);
    const huge = await post(base, "/graphql", JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(20_000) } }), { authorization: `Bearer ${org.key}` });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: "Payload Too Large", message: "Request bodies are limited to 10000 bytes." });
    expect((await post(base, "/graphql", '{"query":"{ __typename }"}', { authorization: `Bearer ${org.key}` })).status).toBe(200);

    // Without a declared length (chunked), the body is counted as it arrives; the refusal
    // may come before the client has sent it all.
    const chunked = (text: string, path = "/graphql") =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${org.key}` } }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d)).on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
        });
        req.on("error", (e) => (/EPIPE|ECONNRESET/.test(String((e as NodeJS.ErrnoException).code)) ? undefined : reject(e)));
        for (let i = 0; i < text.length; i += 1000) req.write(text.slice(i, i + 1000));
        req.end();
      });
    const hugeChunked = await chunked(JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(20_000) } }));
    expect(hugeChunked.status).toBe(413);
    expect(hugeChunked.body.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    const small = await chunked('{"query":"{ viewer { organization { slug } } }"}');
    expect(small.status).toBe(200);
    expect(small.body.data.viewer.organization.slug).toBe("acme");
    // The REST routes too, with their own error body.
    const hugeCreate = await chunked(JSON.stringify({ runName: "x", projectName: "p", config: { pad: "x".repeat(20_000) } }), "/api/runs/create");
    expect(hugeCreate).toEqual({ status: 413, body: { error: "Payload Too Large", message: "Request bodies are limited to 10000 bytes." } });
    const create = await chunked(JSON.stringify({ runName: "x", projectName: "p" }), "/api/runs/create");
    expect(create.status).toBe(200);
    expect(create.body.runId).toBeGreaterThan(0);
  });
});

describe("persisted operations", () => {
  it("in 'only' mode run the documents known by hash, and nothing else", async () => {
    const document = "query Me { viewer { organization { slug } } }";
    const hash = createHash("sha256").update(document).digest("hex");
    const app = await createTestApp({ persistedOperations: { documents: new Map([[hash, document]]), only: true } });
    const org = await app.org("acme");
    const ask = async (body: object) => {
      const res = await app.yoga.fetch(`${PUBLIC_URL}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${org.key}` }, body: JSON.stringify(body) });
      return (await res.json()) as any;
    };
    expect((await ask({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).data.viewer.organization.slug).toBe("acme");
    expect((await ask({ documentId: hash })).data.viewer.organization.slug).toBe("acme");
    expect((await ask({ query: document })).errors?.[0]?.message).toMatch(/persisted/i);
    expect((await ask({ documentId: "0".repeat(64) })).errors?.[0]).toMatchObject({ message: expect.stringMatching(/not found/i), extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } });
    // REST routes run the gateway's own documents, whatever the mode.
    const base = await listen(app.yoga);
    expect((await post(base, "/api/runs/create", JSON.stringify({ runName: "r", projectName: "p" }), { authorization: `Bearer ${org.key}` })).status).toBe(200);
  });
});

describe("rate limits per API key", () => {
  it("token bucket: burst then 429 with Retry-After, on GraphQL (typed error), REST and ingest; other keys unaffected", async () => {
    let now = 0;
    const limiter = new RateLimiter(1, 3, () => now);
    const app = await createTestApp({ rateLimiter: limiter });
    const acme = await app.org("acme");
    const other = await app.org("other");
    const base = await listen(app.yoga);
    const runId = (await createRunOk(other, { projectName: "p" })).run.runId; // other's tokens
    const gql = () => post(base, "/graphql", '{"query":"{ viewer { organization { slug } } }"}', { authorization: `Bearer ${acme.key}` });
    for (let i = 0; i < 3; i++) expect((await gql()).status).toBe(200);
    const limited = await gql();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    const body = (await limited.json()) as any;
    expect(body.errors[0]).toMatchObject({ message: expect.stringContaining("Rate limit exceeded"), extensions: { code: "RATE_LIMITED", retryAfter: 1 } });
    const rest = await post(base, "/api/runs/create", JSON.stringify({ runName: "r", projectName: "p" }), { authorization: `Bearer ${acme.key}` });
    expect(rest.status).toBe(429);
    expect(rest.headers.get("retry-after")).toBe("1");
    expect(await rest.json()).toEqual({ error: "Too Many Requests", message: "Rate limit exceeded for this API key: retry after 1 s." });
    const ingest = await fetch(`${base}/ingest/metrics`, { method: "POST", headers: { authorization: `Bearer ${acme.key}`, "x-run-id": String(runId), "x-project-name": "p" }, body: '{"time":1,"step":1,"data":{"a":1}}\n' });
    expect(ingest.status).toBe(429);
    expect((await post(base, "/graphql", '{"query":"{ __typename }"}', { authorization: `Bearer ${other.key}` })).status).toBe(200);
    now += 1000; // a second later: one token again
    expect((await gql()).status).toBe(200);
    expect((await gql()).status).toBe(429);
  });

  it("refill and burst arithmetic", () => {
    let now = 0;
    const l = new RateLimiter(10, 5, () => now);
    expect(Array.from({ length: 6 }, () => l.take(1))).toEqual([0, 0, 0, 0, 0, 100]);
    now += 250; // 2.5 tokens
    expect([l.take(1), l.take(1), l.take(1)]).toEqual([0, 0, 50]);
    expect(new RateLimiter(0, 1).take(1)).toBe(0); // off
  });
});

describe("PERSISTED_OPERATIONS_FILE", () => {
  it("is read once, and refused with a reason when it cannot be trusted", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { readPersistedOperations } = await import("../src/graphql/persisted-operations.js");
    const dir = await mkdtemp(join(tmpdir(), "persisted-"));
    const doc = "{ __typename }";
    const hash = createHash("sha256").update(doc).digest("hex");
    const file = async (content: string) => {
      const f = join(dir, `${Math.random()}.json`);
      await writeFile(f, content);
      return f;
    };
    expect([...(await readPersistedOperations(await file(JSON.stringify({ [hash]: doc }))))]).toEqual([[hash, doc]]);
    await expect(readPersistedOperations(await file("not json"))).rejects.toThrow(/cannot read it as JSON/);
    await expect(readPersistedOperations(await file("[]"))).rejects.toThrow(/expected an object/);
    await expect(readPersistedOperations(await file(JSON.stringify({ abc: doc })))).rejects.toThrow(/abc is not the SHA-256/);
    const bad = "{ nope";
    await expect(readPersistedOperations(await file(JSON.stringify({ [createHash("sha256").update(bad).digest("hex")]: bad })))).rejects.toThrow(/does not parse/);
    await expect(readPersistedOperations(join(dir, "missing.json"))).rejects.toThrow(/PERSISTED_OPERATIONS_FILE/);
    await rm(dir, { recursive: true, force: true });
  });
});
