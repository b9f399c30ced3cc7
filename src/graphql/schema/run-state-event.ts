import type { FieldNode, GraphQLResolveInfo } from "graphql";
import type { StateEventPage } from "../../domain/state-history.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { selectsField, selectsNodeField } from "../selects.js";
import { RUN_STATES } from "../../domain/run-state.js";
import { connectionOf, idPageOf, type ConnectionArgs } from "../cursor-pages.js";

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

/** The fields of an event read only when selected (StateEventPage.withDetails). */
const DETAILS = ["source", "error", "metadata"] as const;

/**
 * The page a stateHistory field reads: its arguments' page, and what its selection reads
 * (`fieldNodes`: the field's nodes, the one being resolved by default). Throws Pothos's
 * errors for arguments it refuses.
 */
export function stateEventPageOf(args: ConnectionArgs, info: GraphQLResolveInfo, fieldNodes: readonly FieldNode[] = info.fieldNodes): StateEventPage {
  return {
    ...idPageOf(args),
    withCount: selectsField(info, "totalCount", fieldNodes),
    withDetails: DETAILS.some((name) => selectsNodeField(info, name, fieldNodes)),
  };
}

/**
 * A run's state history, oldest first, paged as Pothos's Prisma connections page (same
 * arguments, errors, cursors and page info), read through the request's loader so that a
 * list of runs reads every history in one statement (or its list read it: Project.runs).
 */
export async function stateHistoryOf(runId: number, args: ConnectionArgs, ctx: Context, info: GraphQLResolveInfo) {
  const page = stateEventPageOf(args, info);
  const { events, total } = await ctx.loaders().stateEvents.load({ runId, page });
  // Counted in the same statement when the selection asks for it (and only then read).
  return connectionOf(events, args, page, total ?? undefined);
}
