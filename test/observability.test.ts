import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../src/domain/api-keys.js";
import { createLogger, tagRequest } from "../src/logger.js";
import { startOnOwnDatabase, type OwnGateway } from "./helpers/gateway-process.js";
import { LOG_METRICS } from "./helpers/operations.js";
import { createRunOk } from "./helpers/runs.js";
import { createTestApp, PUBLIC_URL, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Logs (pino, JSON lines with a request id, secrets redacted) and Prometheus metrics.

/** The value of one sample of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = [...(m[2] ?? "").matchAll(/\w+="[^"]*"/g)].map((x) => x[0]);
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

describe("logs", () => {
  it("are JSON lines carrying the request id, with keys redacted in messages and fields", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger("debug", sink as never);
    const key = generateApiKey();
    const failure = new Error(`lookup failed for ${key}`);
    tagRequest(failure, "req-42");
    logger.error(failure);
    logger.event("warn", { requestId: "req-42", headers: { authorization: `Bearer ${key}` }, apiKey: key, note: `also ${key}` }, "odd request");
    logger.debug("outside any request");
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ level: "error", requestId: "req-42", msg: expect.stringContaining("lookup failed for mlps_[REDACTED]") });
    expect(entries[1]).toMatchObject({ level: "warn", requestId: "req-42", headers: { authorization: "[REDACTED]" }, apiKey: "[REDACTED]", msg: "odd request" });
    expect(entries[2].requestId).toBeUndefined();
    expect(lines.join("")).not.toContain(key);
  });

  it("carry the request id on the errors the gateway masks, GraphQL and REST alike", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const app = await createTestApp({
      logger: createLogger("error", sink as never),
      authenticator: { authenticate: () => Promise.reject(new Error("key store unreachable")) },
    });
    const post = (path: string, body: unknown, requestId: string) =>
      app.yoga.fetch(`${PUBLIC_URL}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer mlps_x" }, body: JSON.stringify(body) }, { requestId });
    const graphql = await post("/graphql", { query: "{ viewer { organization { slug } } }" }, "req-gql");
    expect(JSON.stringify(await graphql.json())).not.toContain("key store");
    const rest = await post("/api/runs/create", { projectName: "p", name: "r" }, "req-rest");
    expect(rest.status).toBe(500);
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries).toContainEqual(expect.objectContaining({ level: "error", requestId: "req-gql", msg: expect.stringContaining("key store unreachable") }));
    expect(entries).toContainEqual(expect.objectContaining({ level: "error", requestId: "req-rest", msg: expect.stringContaining("key store unreachable") }));
  });

  it("has silent mode write nothing, and a level filter", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    createLogger("silent", sink as never).error("nothing");
    createLogger("warn", sink as never).info("filtered");
    expect(lines).toEqual([]);
  });
});

describe("a running gateway", () => {
  let gateway: OwnGateway;
  const key = generateApiKey();

  beforeAll(async () => {
    gateway = await startOnOwnDatabase("gateway-obs", { BOOTSTRAP_API_KEY: key, BOOTSTRAP_ORG: "obs-org" });
  });
  afterAll(() => gateway.stop());

  it("logs one line per request with its id (the caller's, or a new one), never the key", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${gateway.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query: "query Who { viewer { organization { slug } } }" }) });
    const mine = await post({ authorization: `Bearer ${key}`, "x-request-id": "trace-7" });
    expect(mine.headers.get("x-request-id")).toBe("trace-7");
    const fresh = await post({ authorization: `Bearer ${key}`, "x-request-id": "bad id with spaces" });
    const freshId = fresh.headers.get("x-request-id")!;
    expect(freshId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 100));
    const entries = gateway.stderr().trim().split("\n").map((l) => JSON.parse(l));
    expect(entries).toContainEqual(expect.objectContaining({ msg: "request", requestId: "trace-7", method: "POST", path: "/graphql", status: 200 }));
    expect(entries).toContainEqual(expect.objectContaining({ msg: "request", requestId: freshId }));
    expect(gateway.stderr()).not.toContain(key);
  });

  it("serves Prometheus metrics: requests, operations, errors, database pool", async () => {
    const gql = (query: string) =>
      fetch(`${gateway.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
    await gql("query Who { viewer { organization { slug } } }");
    await gql("{ noSuchField }");
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(sample(text, "gateway_http_requests_total", { route: "/graphql", status: "200" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "gateway_graphql_operation_duration_seconds_count", { operation: "Who", type: "query" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "gateway_graphql_errors_total", { code: "GRAPHQL_VALIDATION_FAILED" })).toBe(1);
    expect(sample(text, "gateway_process_resident_memory_bytes")).toBeGreaterThan(0);
    if (process.env.DATABASE_URL) expect(sample(text, "gateway_db_pool_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
  });
});

describe("metrics through yoga.fetch", () => {
  let app: TestApp;
  let acme: TestOrg;
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.org("acme");
  });

  it("count ingested points, and operations by name", async () => {
    const runId = (await createRunOk(acme, { projectName: "obs" })).run.runId;
    const res = await acme.gql(LOG_METRICS, { input: { runId, points: [0, 1, 2].map((step) => ({ name: "loss", step, value: step })) } });
    expect(res.data.logMetrics.accepted).toBe(3);
    for (let i = 0; i < 3; i++) await acme.gql(`query Q${i} { __typename }`);
    const text = await (await app.yoga.fetch(`${PUBLIC_URL}/metrics`)).text();
    expect(sample(text, "gateway_ingested_points_total")).toBe(3);
    // Routes are labelled by template: run ids and invented paths add no label values.
    for (const path of [`/api/runs/details/${runId}`, "/api/runs/details/999999", "/api/no/such/path", "/ingest/nothing"]) {
      await app.yoga.fetch(`${PUBLIC_URL}${path}`, { headers: { authorization: `Bearer ${acme.key}` } });
    }
    const after = await (await app.yoga.fetch(`${PUBLIC_URL}/metrics`)).text();
    expect(sample(after, "gateway_http_requests_total", { route: "/api/runs/details/{id}", status: "200" })).toBe(1);
    expect(sample(after, "gateway_http_requests_total", { route: "/api/runs/details/{id}", status: "404" })).toBe(1);
    expect(sample(after, "gateway_http_requests_total", { route: "other", status: "404" })).toBe(2);
    expect(after).not.toMatch(/route="\/api\/runs\/details\/\d/);
    expect(sample(text, "gateway_graphql_operation_duration_seconds_count", { operation: "Q2", type: "query" })).toBe(1);
  });
});
