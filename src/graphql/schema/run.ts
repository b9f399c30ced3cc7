import { builder } from "../builder.js";
import { orgId, type Context } from "../context.js";
import { formatDisplayId } from "../../domain/display-id.js";
import { ambiguousDisplayId, runLocatorWhere } from "../../domain/find-run.js";
import { runOrderBy, runWhere } from "../../domain/run-query.js";
import { runUrl } from "../../domain/run-url.js";
import { MetricSeries, MetricSummaryRef } from "./metric.js";
import { RunError, RunStateEnum, RunStateEventConnection, StorageStateEnum } from "./run-state-event.js";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { createGraphQLError } from "graphql-yoga";

export const Run = builder.prismaNode("Run", {
  id: { field: "id" },
  // Another organization's id reads as "not found", never as an error.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), organizationId: orgId(ctx) }),
  fields: (t) => ({
    runId: t.exposeInt("id"),
    number: t.exposeInt("number", { nullable: true }),
    displayId: t.string({
      nullable: true,
      select: { number: true, project: { select: { runPrefix: true } } },
      resolve: (r) => formatDisplayId(r.project.runPrefix, r.number),
    }),
    externalId: t.exposeString("externalId", { nullable: true }),
    url: t.string({
      select: { project: { select: { name: true } } },
      resolve: (r, _args, ctx) => runUrl(ctx.publicUrl, ctx.caller!.organizationSlug, r.project.name, r.id),
    }),
    name: t.exposeString("name"),
    notes: t.exposeString("notes", { nullable: true }),
    tags: t.exposeStringList("tags"),
    runGroup: t.exposeString("runGroup", { nullable: true }),
    project: t.relation("project"),
    config: t.expose("config", { type: "JSON", nullable: true }),
    systemMetadata: t.expose("systemMetadata", { type: "JSON", nullable: true }),
    loggerSettings: t.expose("loggerSettings", { type: "JSON", nullable: true }),
    inputData: t.expose("inputData", { type: "JSON", nullable: true }),
    result: t.expose("result", { type: "JSON", nullable: true }),
    runtimeConfig: t.expose("runtimeConfig", { type: "JSON", nullable: true }),
    pipelineSpec: t.expose("pipelineSpec", { type: "JSON", nullable: true }),
    pipelineId: t.exposeString("pipelineId", { nullable: true }),
    pipelineVersionId: t.exposeString("pipelineVersionId", { nullable: true, description: "Also holds a decision policy version." }),
    serviceAccount: t.exposeString("serviceAccount", { nullable: true }),
    state: t.expose("state", { type: RunStateEnum }),
    error: t.field({ type: RunError, nullable: true, resolve: (r) => (r.error as { message: string } | null) ?? null }),
    storageState: t.expose("storageState", { type: StorageStateEnum }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    scheduledAt: t.expose("scheduledAt", { type: "DateTime", nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    stateUpdatedAt: t.expose("stateUpdatedAt", { type: "DateTime", nullable: true }),
    heartbeatAt: t.expose("heartbeatAt", { type: "DateTime", nullable: true }),
    stateHistory: t.relatedConnection(
      "stateEvents",
      { cursor: "id", totalCount: true, description: "Oldest first.", query: { orderBy: { id: "asc" } } },
      RunStateEventConnection,
    ),
    forkedFrom: t.relation("forkedFrom", { nullable: true }),
    forkStep: t.field({ type: "SafeInt", nullable: true, resolve: (r) => (r.forkStep == null ? null : Number(r.forkStep)) }),
    forkDepth: t.exposeInt("forkDepth", { description: "0 for a run that is not a fork." }),
    lineage: t.prismaField({
      type: ["Run"],
      description: "Ancestors, root first, not including this run.",
      select: { ancestorIds: true },
      resolve: (query, run, _args, ctx) =>
        ctx.prisma.run.findMany({ ...query, where: { id: { in: run.ancestorIds }, organizationId: orgId(ctx) }, orderBy: { forkDepth: "asc" } }),
    }),
    metrics: t.field({
      type: [MetricSummaryRef],
      description: "One summary per metric name over the effective history.",
      resolve: (run, _args, ctx) => ctx.loaders().summaries.load(run.id),
    }),
    metric: t.field({
      type: MetricSeries,
      nullable: true,
      args: { name: t.arg.string({ required: true }) },
      resolve: async (run, args, ctx) => {
        const summary = await ctx.loaders().summary.load([run.id, args.name]);
        return summary ? { runId: run.id, summary } : null;
      },
    }),
  }),
});

export const RunConnection = builder.connectionObject({ type: Run, name: "RunConnection" });

builder.prismaObjectField(Run, "forks", (t) =>
  t.relatedConnection("forks", { cursor: "id", totalCount: true, query: { orderBy: { id: "asc" } } }, RunConnection),
);

export const RunFilterInput = builder.inputType("RunFilter", {
  fields: (t) => ({
    states: t.field({ type: [RunStateEnum] }),
    tagsAny: t.stringList({ description: "Runs having any of these tags." }),
    runGroup: t.string(),
    nameContains: t.string({ description: "Case-insensitive." }),
    createdAfter: t.field({ type: "DateTime", description: "Inclusive." }),
    createdBefore: t.field({ type: "DateTime", description: "Exclusive." }),
    archived: t.boolean({ description: "false or absent: available runs only; true: archived runs only." }),
    includeArchived: t.boolean({ description: "Available and archived runs alike." }),
    forkedFromRunId: t.int(),
    externalId: t.string(),
  }),
});

const RunOrderField = builder.enumType("RunOrderField", {
  values: ["CREATED_AT", "UPDATED_AT", "NUMBER", "NAME", "STATE", "STATE_UPDATED_AT", "STARTED_AT", "FINISHED_AT", "RUN_ID"] as const,
});
const OrderDirection = builder.enumType("OrderDirection", { values: ["ASC", "DESC"] as const });

export const RunOrderInput = builder.inputType("RunOrder", {
  fields: (t) => ({
    field: t.field({ type: RunOrderField, required: true }),
    direction: t.field({ type: OrderDirection, defaultValue: "DESC" }),
  }),
});

function runIdFromGlobal(id: string): number {
  try {
    const { typename, id: raw } = decodeGlobalID(id);
    if (typename === "Run" && /^\d+$/.test(raw)) return Number(raw);
  } catch {
    // fall through: a malformed id finds nothing
  }
  return -1;
}

async function findRun(
  query: object,
  args: { id?: string | null; runId?: number | null; displayId?: string | null; externalId?: string | null; projectName?: string | null },
  ctx: Context,
) {
  const where = runLocatorWhere(orgId(ctx), { ...args, runId: args.id != null ? runIdFromGlobal(args.id) : args.runId });
  if (args.displayId != null && args.projectName == null) {
    // Two projects may share a prefix: report it rather than pick one.
    const matches = await ctx.prisma.run.findMany({ where, take: 2, select: { project: { select: { name: true } } } });
    if (matches.length > 1) {
      const err = ambiguousDisplayId(args.displayId, matches.map((r) => r.project.name));
      throw createGraphQLError(err.message, { extensions: { code: "AMBIGUOUS", candidates: err.candidates } });
    }
  }
  return ctx.prisma.run.findFirst({ ...query, where });
}

builder.queryFields((t) => ({
  run: t.prismaField({
    type: Run,
    nullable: true,
    description: "One run by global id, runId, displayId (with projectName when prefixes collide) or externalId + projectName.",
    args: {
      id: t.arg.id(),
      runId: t.arg.int(),
      displayId: t.arg.string(),
      externalId: t.arg.string(),
      projectName: t.arg.string(),
    },
    resolve: (query, _root, args, ctx) => findRun(query, { ...args, id: args.id == null ? null : String(args.id) }, ctx),
  }),
  runs: t.prismaConnection(
    {
      type: Run,
      cursor: "id",
      args: {
        projectName: t.arg.string(),
        filter: t.arg({ type: RunFilterInput }),
        orderBy: t.arg({ type: [RunOrderInput] }),
      },
      totalCount: (_conn, args, ctx) => ctx.prisma.run.count({ where: runWhere(orgId(ctx), args.filter, args.projectName) }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.run.findMany({ ...query, where: runWhere(orgId(ctx), args.filter, args.projectName), orderBy: runOrderBy(args.orderBy) }),
    },
    RunConnection,
  ),
}));
