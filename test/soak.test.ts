import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSoak } from "../bench/soak-load.js";
import { generateApiKey } from "../src/domain/api-keys.js";
import { startOnOwnDatabase, type OwnGateway } from "./helpers/gateway-process.js";

// The short soak: bench/soak.ts's mixed load for a few seconds against a gateway process,
// on either database. Every answer must be the expected one. (Memory growth is judged by
// the 10-minute run, which a few seconds cannot tell.)

describe("a short soak", () => {
  let gateway: OwnGateway;
  const key = generateApiKey();

  beforeAll(async () => {
    gateway = await startOnOwnDatabase("gateway-soak", { BOOTSTRAP_API_KEY: key, RATE_LIMIT_PER_SECOND: "0", LOG_LEVEL: "info" });
  });
  afterAll(() => gateway.stop());

  it("creates, resumes from 64 ranks, state updates, ingest and nested reads: no unexpected answer", async () => {
    const result = await runSoak({ url: gateway.url, key, seconds: Number(process.env.SOAK_SECONDS ?? 8), concurrency: 16 });
    expect(Object.keys(result.ops).sort()).toEqual(["create", "ingest (NDJSON)", "nested read", "resume (64 ranks)", "state update"]);
    for (const [name, f] of Object.entries(result.ops)) expect({ name, unexpected: f.unexpected, example: f.example }).toEqual({ name, unexpected: 0, example: undefined });
    expect(result.requests).toBeGreaterThan(100);
    expect(result.rssEndBytes).toBeGreaterThan(0);
  });
});
