import { createGraphQLError, createYoga, maskError, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { GraphQLError } from "graphql";
import { useGraphQlJit } from "@envelop/graphql-jit";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { DEFAULT_MAX_BODY_BYTES, useBodyLimit } from "./body-limit.js";
import { isDatabaseUnavailable, UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_SECONDS } from "./db/unavailable.js";
import { retryAfterSeconds, type RateLimiter } from "./domain/rate-limit.js";
import type { Sql } from "./db/sql.js";
import type { RunEvents } from "./events.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import type { Authenticator } from "./domain/key-cache.js";
import { createContext, type Context } from "./graphql/context.js";
import { hotCompilableDocuments, useCompiledExecution } from "./graphql/compiled-execution.js";
import { readMigrations } from "./db/schema-engine.js";
import { DEFAULT_QUERY_LIMITS, useQueryLimits, type QueryLimits } from "./graphql/query-limits.js";
import { useResponseCache } from "./graphql/response-cache.js";
import { useHealthRoutes } from "./health.js";
import { EXAMPLE_QUERY, EXAMPLE_TABS } from "./graphql/example-query.js";
import { schema } from "./graphql/schema/index.js";
import { restRouteLabel, useRestRoutes, type RestServerContext } from "./rest/routes.js";
import { tagRequest, type Logger } from "./logger.js";
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
  /** Requests per API key, GraphQL and REST alike; unlimited when not given. */
  rateLimiter?: RateLimiter;
  /** Largest request body accepted (413 above); 8 MiB when not given. */
  maxBodyBytes?: number;
  /** Persisted operations: documents by hash; with `only`, nothing else runs. */
  persistedOperations?: { documents: ReadonlyMap<string, string>; only: boolean };
  /** GraphQL document limits; DEFAULT_QUERY_LIMITS when not given. */
  queryLimits?: QueryLimits;
  /** What /metrics exports; a registry of its own when not given. */
  metrics?: ReturnType<typeof createMetrics>;
  /** Bytes of answers the response cache keeps (response-cache.ts); none when not given or 0. */
  responseCacheBytes?: number;
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

/** A typed GraphQL error, answered with HTTP 429 and Retry-After, when the key is over its rate. */
function rateLimited(limiter: RateLimiter | undefined, keyId: number): void {
  const wait = limiter?.take(keyId) ?? 0;
  if (wait === 0) return;
  const seconds = retryAfterSeconds(wait);
  throw createGraphQLError(`Rate limit exceeded for this API key: retry after ${seconds} s.`, {
    extensions: { code: "RATE_LIMITED", retryAfter: seconds, http: { status: 429, headers: { "retry-after": String(seconds) } } },
  });
}

/**
 * Internal errors reach clients as "Unexpected error." (details go to the log only), except
 * an unreachable database: that is the typed DATABASE_UNAVAILABLE, with HTTP 503.
 */
const maskInternalErrors: typeof maskError = (error, message, isDev) => {
  if (!isDatabaseUnavailable(error)) return maskError(error, message, isDev);
  const path = (error as Partial<GraphQLError>).path;
  return createGraphQLError(UNAVAILABLE_MESSAGE, {
    path,
    extensions: {
      code: UNAVAILABLE_CODE,
      retryAfter: UNAVAILABLE_RETRY_AFTER_SECONDS,
      http: { status: 503, headers: { "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS) } },
    },
  });
};

/** Persisted operations by hash (`extensions.persistedQuery.sha256Hash`, or `documentId`). */
function usePersisted(p: NonNullable<GatewayOptions["persistedOperations"]>): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (key) => p.documents.get(key) ?? null,
    allowArbitraryOperations: !p.only,
    customErrors: {
      notFound: { message: "Persisted operation not found: this gateway does not know that hash.", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } },
      persistedQueryOnly: { message: "Only persisted operations are accepted here: send a known hash, not a document.", extensions: { code: "PERSISTED_QUERY_ONLY" } },
    },
    extractPersistedOperationId: (params) =>
      (params as { documentId?: string }).documentId ?? (params.extensions?.persistedQuery as { sha256Hash?: string } | undefined)?.sha256Hash ?? null,
  }) as Plugin;
}

/** Errors of an execution remember their request, for the line Yoga logs when it masks them. */
const useRequestIdOnErrors: Plugin<{ requestId?: string }> = {
  onExecute({ args }) {
    const requestId = (args.contextValue as { requestId?: string }).requestId;
    if (!requestId) return;
    return {
      onExecuteDone({ result }) {
        if ("errors" in result) for (const error of result.errors ?? []) tagRequest(error, requestId);
      },
    };
  },
};

/**
 * A subscription resolves every event in the context it opened with, and the request loaders
 * live on the context: once an event is answered, they are dropped, so the next event reads
 * the run as it is then, not as they cached it.
 */
const useFreshLoadersPerEvent: Plugin<Context> = {
  onSubscribe: () => ({
    onSubscribeResult: () => ({ onNext: ({ args }) => args.contextValue.freshLoaders() }),
  }),
};

let shipped: Promise<string[]> | undefined;
/** The migrations this build ships, read once. */
const expectedMigrations = () => (shipped ??= readMigrations().then((l) => l.migrationDirectories.map((d) => d.path)));

/** The HTTP application; `main.ts` only listens, so tests drive it through `yoga.fetch`. */
export function createGateway(options: GatewayOptions): Gateway {
  const hotClientDocument = hotCompilableDocuments(schema);
  const opts = { ...options, metrics: options.metrics ?? createMetrics({ defaultMetrics: false, routeLabel: restRouteLabel }) };
  return createYoga<RestServerContext, Context>({
    schema,
    plugins: [
      opts.metrics.plugin,
      useBodyLimit(opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
      useHealthRoutes({ prisma: opts.prisma, expectedMigrations }),
      // Bearer keys, not cookies, authenticate: CSRF needs no cookie to steal, but a simple
      // cross-site request (a form, an img) is still refused before it runs anything.
      useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf", "authorization"] }),
      ...(opts.persistedOperations ? [usePersisted(opts.persistedOperations)] : []),
      ...useQueryLimits(schema, opts.queryLimits ?? DEFAULT_QUERY_LIMITS),
      // After the limits: a refused document is refused before anything is looked up.
      ...(opts.responseCacheBytes ? [useResponseCache(schema, opts.responseCacheBytes)] : []),
      useRestRoutes(opts),
      useRequestIdOnErrors,
      useFreshLoadersPerEvent,
      // Compiled execution for the documents this server wrote itself (the REST routes'
      // operations): a fixed set, compiled once.
      useGraphQlJit({}, { enableIf: (args) => Boolean((args.contextValue as RestServerContext).restCaller) }),
      // And for clients' documents that are hot and answered as graphql-js does (compiled-execution.ts).
      useCompiledExecution((args) => !(args.contextValue as RestServerContext).restCaller && hotClientDocument(args.document, args.operationName)),
    ],
    graphqlEndpoint: "/graphql",
    // useBodyLimit enforces the limit (see there).
    maxRequestBodySize: false,
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
    maskedErrors: { maskError: maskInternalErrors },
    logging: opts.logger ?? false,
    context: async ({ request, restCaller, requestId }): Promise<Context> => {
      // A REST route has authenticated the request already.
      if (restCaller) return createContext(opts, restCaller, null);
      const header = request.headers.get("authorization");
      try {
        const result = header ? await opts.authenticator.authenticate(header) : null;
        if (result?.ok) rateLimited(opts.rateLimiter, result.caller.apiKeyId);
        return createContext(opts, result?.ok ? result.caller : null, result && !result.ok ? result.failure : header ? null : "missing");
      } catch (e) {
        tagRequest(e, requestId);
        throw e;
      }
    },
  });
}
