import { createGraphQLError } from "graphql-yoga";
import type { Sql } from "../db/sql.js";
import type { RunEvents } from "../events.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { createLoaders, type Loaders } from "./loaders.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { AUTH_FAILURE_MESSAGES, type AuthFailure, type Caller } from "../domain/api-keys.js";

export interface Context {
  prisma: PrismaClient;
  /** Plain SQL for the hot paths. */
  sql: Sql;
  /** Live updates (subscriptions). */
  events: RunEvents;
  /** The authenticated caller; null when the request carried no valid key. */
  caller: Caller | null;
  authFailure: AuthFailure | null;
  publicUrl: string;
  /** Batched loads of this request, for the caller's organization. */
  loaders(): Loaders;
  /**
   * Drops what the loaders hold. A subscription resolves each of its events in the context
   * it opened with, and an event must read the run as it is now, not as the loaders cached
   * it for an earlier event.
   */
  freshLoaders(): void;
  /** Counters the gateway exports at /metrics. */
  metrics?: Pick<GatewayMetrics, "ingestedPoints">;
}

/** The context of one request; loaders are made on first use. */
export interface Services {
  prisma: PrismaClient;
  sql: Sql;
  events: RunEvents;
  publicUrl: string;
  metrics?: Pick<GatewayMetrics, "ingestedPoints">;
}

export function createContext(services: Services, caller: Caller | null, authFailure: AuthFailure | null): Context {
  let loaders: Loaders | undefined;
  const { prisma, sql, events, publicUrl, metrics } = services;
  const ctx: Context = {
    prisma,
    sql,
    events,
    caller,
    authFailure,
    publicUrl,
    loaders: () => (loaders ??= createLoaders(sql, orgId(ctx))),
    freshLoaders: () => {
      loaders = undefined;
    },
    metrics,
  };
  return ctx;
}

export function unauthenticated(failure: AuthFailure | null) {
  const detail = failure ? AUTH_FAILURE_MESSAGES[failure] : undefined;
  return createGraphQLError(
    detail ? `Unauthorized: ${detail}` : "Unauthorized: send an API key as 'Authorization: Bearer mlps_…'",
    { extensions: { code: "UNAUTHENTICATED", http: { status: 200 } } },
  );
}

/** The caller's organization; every data access goes through it. */
export function orgId(ctx: Context): number {
  if (!ctx.caller) throw unauthenticated(ctx.authFailure);
  return ctx.caller.organizationId;
}
