import { builder } from "../builder.js";
import { RUN_STATES } from "../../domain/run-state.js";

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
