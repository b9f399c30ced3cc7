import { afterAll } from "vitest";
import type { PrismaClient } from "../../src/generated/prisma/client.js";
import type { Sql } from "../../src/db/sql.js";
import type { LogLevel } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { createEventBus } from "../../src/events.js";
import { createApiKey } from "../../src/domain/api-keys.js";
import { createAuthenticator } from "../../src/domain/key-cache.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server.js";
import { openTestDatabase, type TestDatabase } from "./test-database.js";

export const PUBLIC_URL = "http://gateway.test";

export interface GqlResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestOrg {
  id: number;
  slug: string;
  key: string;
  /** Runs a GraphQL operation with this organization's key. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
}

export interface TestApp {
  db: TestDatabase;
  prisma: PrismaClient;
  yoga: Gateway;
  /** Prisma operations since the last reset: "Model.action", or "$queryRaw" and friends. */
  operations: string[];
  /** Names of the prepared statements run through the plain-SQL handle, since the last reset. */
  statements: string[];
  org(slug: string, opts?: { runLimit?: number | null }): Promise<TestOrg>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  counts(): Promise<{ projects: number; runs: number; events: number; points: number; metrics: number }>;
}

/** A gateway on a fresh database, driven through `yoga.fetch`; closed after the file's tests. */
export async function createTestApp(options: Partial<GatewayOptions> = {}): Promise<TestApp> {
  const db = await openTestDatabase();
  const operations: string[] = [];
  // The Pothos Prisma plugin's own test pattern: record every operation a request makes.
  const prisma = db.prisma.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        operations.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  // Masked (internal) errors are printed, so a failing test shows its cause.
  // The gateway's own key cache, invalidated by the database's notifications, as in production.
  const authenticator = await createAuthenticator(db.sql, db.listen);
  // Plain-SQL statements are recorded too, as "sql", and the prepared ones by name.
  const statements: string[] = [];
  const sql: Sql = {
    query: (text, params, name) => (operations.push("sql"), name && statements.push(name), db.sql.query(text, params, name)),
    transaction: (fn) => db.sql.transaction(fn),
  };
  const yoga = createGateway({
    prisma,
    sql,
    events: createEventBus().events,
    publicUrl: PUBLIC_URL,
    logger: createLogger((process.env.LOG_LEVEL as LogLevel) ?? "error"),
    authenticator,
    ...options,
  });
  afterAll(async () => {
    await authenticator.close();
    await db.close();
  });

  const gql = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await yoga.fetch(`${PUBLIC_URL}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResponse;
  };

  return {
    db,
    prisma: db.prisma,
    yoga,
    operations,
    statements,
    gql,
    async org(slug, opts = {}) {
      const org = await db.prisma.organization.create({ data: { slug, name: slug, runLimit: opts.runLimit ?? null } });
      const { key } = await createApiKey(db.prisma, org.id, { name: `${slug}-key` });
      return { id: org.id, slug, key, gql: (q, v) => gql(q, v, { authorization: `Bearer ${key}` }) };
    },
    async counts() {
      const [projects, runs, events, points, metrics] = await Promise.all([
        db.prisma.project.count(),
        db.prisma.run.count(),
        db.prisma.runStateEvent.count(),
        db.prisma.metricPoint.count(),
        db.prisma.metric.count(),
      ]);
      return { projects, runs, events, points, metrics };
    },
  };
}
