import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { Sql } from "./db/sql.js";
import type { RunEvents } from "./events.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import type { Authenticator } from "./domain/key-cache.js";
import { createContext, type Context } from "./graphql/context.js";
import { readMigrations } from "./db/schema-engine.js";
import { useQueryLimits } from "./graphql/armor.js";
import { useHealthRoutes } from "./health.js";
import { EXAMPLE_QUERY, EXAMPLE_TABS } from "./graphql/example-query.js";
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
  /**
   * Embedded mode only: the bootstrap key, prefilled in GraphiQL's headers for a browser on
   * this machine (loopback peer and Host), so that a newcomer's first query just works.
   */
  graphiqlKey?: string | null;
  /** What /metrics exports; a registry of its own when not given. */
  metrics?: ReturnType<typeof createMetrics>;
}

export type Gateway = YogaServerInstance<RestServerContext, Context>;

const LOOPBACK_PEERS = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The page was asked for from this machine, by name too: a loopback peer alone is not
 * enough (a proxy on this machine, or DNS rebinding, would forward other people's browsers).
 */
function isLocalBrowser(request: Request, serverContext: unknown): boolean {
  const peer = (serverContext as { req?: { socket?: { remoteAddress?: string } } }).req?.socket?.remoteAddress;
  return peer !== undefined && LOOPBACK_PEERS.has(peer) && LOOPBACK_HOSTS.has(new URL(request.url).hostname) && !request.headers.has("x-forwarded-for");
}

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
    graphiql: (request, serverContext) => ({
      title: "ML run gateway",
      defaultQuery: EXAMPLE_QUERY,
      defaultTabs: EXAMPLE_TABS.map((t) => ({ query: t.query, variables: t.variables ? JSON.stringify(t.variables, null, 2) : null })),
      shouldPersistHeaders: true,
      subscriptionsProtocol: "SSE",
      ...(opts.graphiqlKey && isLocalBrowser(request, serverContext) ? { headers: JSON.stringify({ Authorization: `Bearer ${opts.graphiqlKey}` }, null, 2) } : {}),
    }),
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
