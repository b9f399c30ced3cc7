import { filter, pipe } from "graphql-yoga";
import { builder } from "../builder.js";
import { orgId } from "../context.js";
import { projectKey, runKey, type MetricsLoggedEvent, type RunStateChangeEvent } from "../../events.js";
import { Run } from "./run.js";
import { RunStateEnum } from "./run-state-event.js";

builder.subscriptionType({ authScopes: { member: true } });

const RunStateChange = builder.objectRef<RunStateChangeEvent>("RunStateChange").implement({
  fields: (t) => ({
    runId: t.exposeInt("runId"),
    fromState: t.field({ type: RunStateEnum, nullable: true, resolve: (e) => e.fromState as never }),
    toState: t.field({ type: RunStateEnum, resolve: (e) => e.toState as never }),
    source: t.exposeString("source"),
    at: t.field({ type: "DateTime", resolve: (e) => new Date(e.at) }),
  }),
});

builder.objectField(RunStateChange, "run", (t) =>
  t.prismaField({
    type: Run,
    nullable: true,
    resolve: (query, e, _args, ctx) => ctx.prisma.run.findFirst({ ...query, where: { id: e.runId, organizationId: orgId(ctx) } }),
  }),
);

const MetricsLogged = builder.objectRef<MetricsLoggedEvent>("MetricsLogged").implement({
  description: "One event per logMetrics call, not per point.",
  fields: (t) => ({
    runId: t.exposeInt("runId"),
    names: t.exposeStringList("names"),
    points: t.exposeInt("points", { description: "Distinct points stored by the call." }),
    maxStep: t.field({ type: "SafeInt", resolve: (e) => e.maxStep }),
  }),
});

builder.subscriptionFields((t) => ({
  runStateChanged: t.field({
    type: RunStateChange,
    description: "Every state change of the project's runs, creation included.",
    args: { projectName: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.events.subscribe("run-state", projectKey(orgId(ctx), args.projectName)),
    resolve: (e) => e,
  }),
  runUpdated: t.prismaField({
    type: Run,
    nullable: true,
    description: "The run, each time it changes (state, fields, storage state).",
    args: { runId: t.arg.int({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.events.subscribe("run-updated", runKey(orgId(ctx), args.runId)),
    resolve: (query, e, _args, ctx) => ctx.prisma.run.findFirst({ ...query, where: { id: (e as { runId: number }).runId, organizationId: orgId(ctx) } }),
  }),
  metricsLogged: t.field({
    type: MetricsLogged,
    description: "A run's logMetrics calls, optionally only those touching any of `names`.",
    args: { runId: t.arg.int({ required: true }), names: t.arg.stringList() },
    subscribe: (_root, args, ctx) =>
      pipe(
        ctx.events.subscribe("metrics-logged", runKey(orgId(ctx), args.runId)),
        filter((e: MetricsLoggedEvent) => !args.names?.length || e.names.some((n) => args.names!.includes(n))),
      ),
    resolve: (e) => e,
  }),
}));
