import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { Sql } from "./db/sql.js";
import type { RunEvents } from "./events.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import type { Authenticator } from "./domain/key-cache.js";
import { createContext, type Context } from "./graphql/context.js";
import { readMigrations } from "./db/schema-engine.js";
import { useQueryLimits } from "./graphql/armor.js";
import { useHealthRoutes } from "./health.js";
import { EXAMPLE_QUERY } from "./graphql/example-query.js";
import { schema } from "./graphql/schema/index.js";
import { useRestRoutes, type RestServerContext } from "./rest/routes.js";
import type { Logger } from "./logger.js";
import { createMetrics } from "./observability/metrics.js";

export interface GatewayOptions {
  prisma: PrismaClient;
  sql: Sql;
  events: RunEvents;
  publicUrl: string;
  logger?: Logger;
  /** Key checks, with their cache (key-cache.ts). */
  authenticator: Pick<Authenticator, "authenticate">;
  /** What /metrics exports; a registry of its own when not given. */
  metrics?: ReturnType<typeof createMetrics>;
}

export type Gateway = YogaServerInstance<RestServerContext, Context>;

let shipped: Promise<string[]> | undefined;
/** The migrations this build ships, read once. */
const expectedMigrations = () => (shipped ??= readMigrations().then((l) => l.migrationDirectories.map((d) => d.path)));

/** The HTTP application; `main.ts` only listens, so tests drive it through `yoga.fetch`. */
export function createGateway(options: GatewayOptions): Gateway {
  const opts = { ...options, metrics: options.metrics ?? createMetrics({ defaultMetrics: false }) };
  return createYoga<RestServerContext, Context>({
    schema,
    plugins: [opts.metrics.plugin, useHealthRoutes({ prisma: opts.prisma, expectedMigrations }), useQueryLimits(), useRestRoutes(opts)],
    graphqlEndpoint: "/graphql",
    landingPage: false,
    // Served from the package itself: no request leaves the machine. The bundle is 9 MB of
    // JavaScript, loaded on the first browser visit rather than at start.
    renderGraphiQL: async (options) => (await import("@graphql-yoga/render-graphiql")).renderGraphiQL(options),
    graphiql: { defaultQuery: EXAMPLE_QUERY, title: "ML run gateway", shouldPersistHeaders: true },
    // Internal errors reach clients as "Unexpected error."; details go to the log only.
    maskedErrors: true,
    logging: opts.logger ?? false,
    context: async ({ request, restCaller }): Promise<Context> => {
      // A REST route has authenticated the request already.
      if (restCaller) return createContext(opts, restCaller, null);
      const header = request.headers.get("authorization");
      const result = header ? await opts.authenticator.authenticate(header) : null;
      return createContext(opts, result?.ok ? result.caller : null, result && !result.ok ? result.failure : header ? null : "missing");
    },
  });
}
