import { describe, expect, it } from "vitest";
import { SettingsError, loadSettings } from "../src/config.js";

describe("settings", () => {
  it("defaults", () => {
    expect(loadSettings({})).toEqual({
      port: 4000,
      host: undefined,
      databaseUrl: undefined,
      dataDir: ".data",
      publicUrl: "http://localhost:4000",
      bootstrapOrg: "default",
      bootstrapApiKey: undefined,
      redisUrl: undefined,
      logLevel: "info",
      liveness: { heartbeatTimeoutMs: 150_000, silentTimeoutMs: 1_800_000, sweepIntervalMs: 30_000 },
      queryLimits: { maxDepth: 14, maxAliases: 30, maxTokens: 5000, maxDirectives: 50, maxCost: 100_000, introspection: true },
      persistedOperations: { file: undefined, only: false },
      maxBodyBytes: 8 * 1024 * 1024,
      rateLimit: { perSecond: 1000, burst: 2000 },
      responseCacheBytes: 64 * 1024 * 1024,
    });
    expect(loadSettings({ GRAPHQL_INTROSPECTION: "false", GRAPHQL_MAX_COST: "5000", RATE_LIMIT_PER_SECOND: "0" })).toMatchObject({
      queryLimits: { introspection: false, maxCost: 5000 },
      rateLimit: { perSecond: 0 },
    });
    expect(loadSettings({ LIVENESS_HEARTBEAT_TIMEOUT: "60", LIVENESS_SWEEP_INTERVAL: "0" }).liveness).toMatchObject({ heartbeatTimeoutMs: 60_000, sweepIntervalMs: 0 });
    expect(loadSettings({ PORT: "8080" }).publicUrl).toBe("http://localhost:8080");
    expect(loadSettings({ PUBLIC_URL: "https://runs.example.com/" }).publicUrl).toBe("https://runs.example.com");
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://x"],
    ["PUBLIC_URL", "localhost:4000"],
    ["BOOTSTRAP_ORG", "Not A Slug"],
    ["BOOTSTRAP_API_KEY", "short"],
    ["REDIS_URL", "http://x"],
    ["LOG_LEVEL", "loud"],
    ["LIVENESS_HEARTBEAT_TIMEOUT", "0"],
    ["LIVENESS_SILENT_TIMEOUT", "soon"],
    ["LIVENESS_SWEEP_INTERVAL", "-1"],
    ["GRAPHQL_MAX_DEPTH", "0"],
    ["GRAPHQL_MAX_COST", "lots"],
    ["GRAPHQL_INTROSPECTION", "maybe"],
    ["PERSISTED_OPERATIONS_ONLY", "yes"],
    ["MAX_BODY_BYTES", "10"],
    ["RATE_LIMIT_PER_SECOND", "-1"],
    ["RATE_LIMIT_BURST", "0"],
    ["RESPONSE_CACHE_MB", "-5"],
  ])("a bad %s stops start with a message naming it", (name, value) => {
    expect(() => loadSettings({ [name]: value })).toThrow(SettingsError);
    expect(() => loadSettings({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});
