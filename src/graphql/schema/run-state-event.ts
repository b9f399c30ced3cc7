import { getConnectionPageSize, PothosValidationError, validateConnectionArguments } from "@pothos/core";
import { formatPrismaCursor, parsePrismaCursor } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";
import type { RunStateEvent as RunStateEventRow } from "../../generated/prisma/client.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { selectsField } from "../selects.js";
import { LIMITS } from "../../domain/limits.js";
import { RUN_STATES } from "../../domain/run-state.js";
import { INT8_MAX } from "../../domain/state-history.js";

export const RunStateEnum = builder.enumType("RunState", {
  description: "Runtime state, a superset of Pluto's, Kubeflow Pipelines' and the decision-engine SDK's.",
  values: RUN_STATES,
});

export const StorageStateEnum = builder.enumType("StorageState", { values: ["AVAILABLE", "ARCHIVED"] as const });

interface RunErrorShape {
  code?: string | null;
  message: string;
  details?: unknown;
}

export const RunError = builder.objectRef<RunErrorShape>("RunError").implement({
  fields: (t) => ({
    code: t.string({ nullable: true, resolve: (e) => e.code ?? null }),
    message: t.exposeString("message"),
    details: t.field({ type: "JSON", nullable: true, resolve: (e) => e.details ?? null }),
  }),
});

export const RunStateEvent = builder.prismaObject("RunStateEvent", {
  fields: (t) => ({
    fromState: t.expose("fromState", { type: RunStateEnum, nullable: true }),
    toState: t.expose("toState", { type: RunStateEnum }),
    source: t.exposeString("source"),
    error: t.field({ type: RunError, nullable: true, resolve: (e) => (e.error as RunErrorShape | null) ?? null }),
    metadata: t.expose("metadata", { type: "JSON", nullable: true }),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

export const RunStateEventConnection = builder.connectionObject({ type: RunStateEvent, name: "RunStateEventConnection" });

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  before?: string | null;
  after?: string | null;
}

/** The event id a cursor stands for: Pothos's Prisma cursors, so pages are unchanged. */
function eventIdOf(cursor: string): bigint {
  const value = parsePrismaCursor(cursor);
  if ((typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint" || (typeof value === "string" && /^-?\d{1,19}$/.test(value))) {
    const id = BigInt(value);
    if (id <= INT8_MAX && id >= -INT8_MAX) return id;
  }
  throw new PothosValidationError(`Invalid cursor: ${cursor}`);
}

// A cursor is made when the selection reads it: the frontend's run list asks for nodes only,
// and encoding a cursor for each of its 250 events was 3% of the gateway's instructions on
// that page (callgrind, bench/README.md).
class EventEdge {
  constructor(readonly node: RunStateEventRow) {}
  get cursor(): string {
    return formatPrismaCursor(this.node, "id");
  }
}

/**
 * A run's state history, oldest first, paged as Pothos's Prisma connections page (same
 * arguments, errors, cursors and page info), read through the request's loader so that a
 * list of runs reads every history in one statement.
 */
export async function stateHistoryOf(runId: number, args: ConnectionArgs, ctx: Context, info: GraphQLResolveInfo) {
  validateConnectionArguments(args);
  if (args.before != null && args.after != null) throw new PothosValidationError('Arguments "before" and "after" are not supported at the same time');
  if (args.before != null && args.first != null) throw new PothosValidationError('Arguments "before" and "first" are not supported at the same time');
  if (args.after != null && args.last != null) throw new PothosValidationError('Arguments "after" and "last" are not supported at the same time');
  const { limit } = getConnectionPageSize({ args, defaultSize: LIMITS.defaultPageSize, maxSize: LIMITS.pageSize });
  const forward = args.before == null && args.last == null;
  const from = args.before ?? args.after;
  const page = { forward, cursor: from == null ? null : eventIdOf(from), limit, withCount: selectsField(info, "totalCount") };
  const { events, total } = await ctx.loaders().stateEvents.load({ runId, page });
  // One row beyond the page says another page exists; it is the oldest when reading back.
  const full = events.length === limit;
  const nodes: RunStateEventRow[] = full ? (forward ? events.slice(0, -1) : events.slice(1)) : events;
  const edges = nodes.map((node) => new EventEdge(node));
  return {
    edges,
    pageInfo: {
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
      hasNextPage: args.before != null ? true : args.last != null ? false : full,
      hasPreviousPage: args.after != null ? true : !forward && full,
    },
    // Counted in the same statement when the selection asks for it (and only then read).
    totalCount: total ?? undefined,
  };
}
