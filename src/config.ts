import { z } from "zod";
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from "./domain/limits.js";

// Every setting the gateway reads from the environment, parsed and checked once at start.
// A bad value stops the process with a message naming the variable.

const port = z.coerce.number().int().min(0).max(65535);
const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
  .refine((v) => URL.canParse(v), "is not a valid URL");

const count = (min: number) => z.coerce.number().int().min(min);
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\//, "must start with http:// or https://")
    .refine((v) => URL.canParse(v), "is not a valid URL")
    .optional(),
  BOOTSTRAP_ORG: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a slug: lower-case letters, digits and '-', at most 63 characters")
    .default("default"),
  BOOTSTRAP_API_KEY: z
    .string()
    .regex(/^mlps_[A-Za-z0-9]{32,}$/, "must be 'mlps_' followed by at least 32 base62 characters")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .refine((v) => URL.canParse(v), "is not a valid URL")
    .optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // Run liveness (see src/domain/liveness.ts), in seconds; an interval of 0 stops sweeping.
  LIVENESS_HEARTBEAT_TIMEOUT: z.coerce.number().int().min(1).default(150),
  LIVENESS_SILENT_TIMEOUT: z.coerce.number().int().min(1).default(1800),
  LIVENESS_SWEEP_INTERVAL: z.coerce.number().int().min(0).default(30),
  // GraphQL document limits (src/graphql/query-limits.ts).
  GRAPHQL_MAX_DEPTH: count(1).default(DEFAULT_QUERY_LIMITS.maxDepth),
  GRAPHQL_MAX_ALIASES: count(0).default(DEFAULT_QUERY_LIMITS.maxAliases),
  GRAPHQL_MAX_TOKENS: count(10).default(DEFAULT_QUERY_LIMITS.maxTokens),
  GRAPHQL_MAX_DIRECTIVES: count(0).default(DEFAULT_QUERY_LIMITS.maxDirectives),
  GRAPHQL_MAX_COST: count(1).default(DEFAULT_QUERY_LIMITS.maxCost),
  GRAPHQL_INTROSPECTION: flag.default(true),
  // A JSON file mapping operation hashes to documents; with _ONLY, nothing else runs.
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
  PERSISTED_OPERATIONS_ONLY: flag.default(false),
  MAX_BODY_BYTES: count(1024).default(8 * 1024 * 1024),
  // Requests per second per API key (token bucket, per replica); 0 turns it off.
  RATE_LIMIT_PER_SECOND: count(0).default(1000),
  RATE_LIMIT_BURST: count(1).default(2000),
  // Answers to repeated costly queries, valid while the database is unchanged (response-cache.ts); 0 turns it off.
  RESPONSE_CACHE_MB: count(0).default(64),
});

export type LogLevel = z.infer<typeof schema>["LOG_LEVEL"];

export interface Settings {
  port: number;
  host: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  bootstrapOrg: string;
  bootstrapApiKey: string | undefined;
  redisUrl: string | undefined;
  logLevel: LogLevel;
  liveness: { heartbeatTimeoutMs: number; silentTimeoutMs: number; sweepIntervalMs: number };
  queryLimits: QueryLimits;
  persistedOperations: { file: string | undefined; only: boolean };
  maxBodyBytes: number;
  rateLimit: { perSecond: number; burst: number };
  /** Bytes of cached answers; 0: no response cache. */
  responseCacheBytes: number;
}

export class SettingsError extends Error {}

/** Empty strings count as unset, the way shells and compose files usually mean them. */
function present(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = schema.safeParse(present(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new SettingsError(`Invalid settings:\n${lines.join("\n")}`);
  }
  const s = parsed.data;
  return {
    port: s.PORT,
    host: s.HOST,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.DATA_DIR,
    publicUrl: (s.PUBLIC_URL ?? `http://localhost:${s.PORT}`).replace(/\/+$/, ""),
    bootstrapOrg: s.BOOTSTRAP_ORG,
    bootstrapApiKey: s.BOOTSTRAP_API_KEY,
    redisUrl: s.REDIS_URL,
    logLevel: s.LOG_LEVEL,
    liveness: {
      heartbeatTimeoutMs: s.LIVENESS_HEARTBEAT_TIMEOUT * 1000,
      silentTimeoutMs: s.LIVENESS_SILENT_TIMEOUT * 1000,
      sweepIntervalMs: s.LIVENESS_SWEEP_INTERVAL * 1000,
    },
    queryLimits: {
      maxDepth: s.GRAPHQL_MAX_DEPTH,
      maxAliases: s.GRAPHQL_MAX_ALIASES,
      maxTokens: s.GRAPHQL_MAX_TOKENS,
      maxDirectives: s.GRAPHQL_MAX_DIRECTIVES,
      maxCost: s.GRAPHQL_MAX_COST,
      introspection: s.GRAPHQL_INTROSPECTION,
    },
    persistedOperations: { file: s.PERSISTED_OPERATIONS_FILE, only: s.PERSISTED_OPERATIONS_ONLY },
    maxBodyBytes: s.MAX_BODY_BYTES,
    rateLimit: { perSecond: s.RATE_LIMIT_PER_SECOND, burst: s.RATE_LIMIT_BURST },
    responseCacheBytes: s.RESPONSE_CACHE_MB * 1024 * 1024,
  };
}
