import { builder } from "../builder.js";
import { orgId, type Context } from "../context.js";
import { formatDisplayId } from "../../domain/display-id.js";
import { ambiguousDisplayId, runLocatorWhere } from "../../domain/find-run.js";
import { metricOrderOf, runListProblem, runOrderBy, runWhere, usesMetrics, type RunFilter, type RunOrder } from "../../domain/run-query.js";
import { pageOf, runIdsByMetric, type PageQuery } from "../../domain/runs-by-metric.js";
import { runUrl } from "../../domain/run-url.js";
import { relativesInHand, type RunListRow } from "../../domain/run-relatives.js";
import { MetricSeries, MetricSummaryRef } from "./metric.js";
import { RunError, RunStateEnum, RunStateEvent, RunStateEventConnection, StorageStateEnum, stateHistoryOf } from "./run-state-event.js";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { createGraphQLError } from "graphql-yoga";
import { connectionOf, idPageOf, type ConnectionArgs } from "../cursor-pages.js";
import type { IdPage } from "../../domain/id-page.js";
import { selectsField, selectsPage } from "../selects.js";

export const Run = builder.prismaNode("Run", {
  id: { field: "id" },
  // Select mode: a query reads the columns its fields need, not all 35 (config and the
  // other JSON columns are the wide ones), which matters most inside nested lists.
  // The columns every run list shows (RunListRow, run-relatives.ts) are always read, and their fields resolve as
  // plain fields: an exposed field in select mode looks its row's loading plan up each time
  // it resolves, 250 lookups on a page of 50 runs, 3% of the page's instructions
  // (bench/README.md).
  select: { id: true, number: true, name: true, state: true, createdAt: true, forkedFromId: true },
  // Another organization's id reads as "not found", never as an error.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), organizationId: orgId(ctx) }),
  fields: (t) => ({
    runId: t.int({ resolve: (r) => r.id }),
    number: t.int({ nullable: true, resolve: (r) => r.number }),
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
    name: t.string({ resolve: (r) => r.name }),
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
    state: t.field({ type: RunStateEnum, resolve: (r) => r.state }),
    error: t.field({ type: RunError, nullable: true, select: { error: true }, resolve: (r) => (r.error as { message: string } | null) ?? null }),
    storageState: t.expose("storageState", { type: StorageStateEnum }),
    createdAt: t.field({ type: "DateTime", resolve: (r) => r.createdAt }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    scheduledAt: t.expose("scheduledAt", { type: "DateTime", nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    stateUpdatedAt: t.expose("stateUpdatedAt", { type: "DateTime", nullable: true }),
    heartbeatAt: t.expose("heartbeatAt", { type: "DateTime", nullable: true }),
    lastLoggedAt: t.expose("lastLoggedAt", { type: "DateTime", nullable: true, description: "When the run last logged metric points." }),
    stateHistory: t.connection(
      { type: RunStateEvent, description: "Oldest first.", resolve: (run, args, ctx, info) => stateHistoryOf(run.id, args, ctx, info) },
      RunStateEventConnection,
    ),
    forkStep: t.field({ type: "SafeInt", nullable: true, select: { forkStep: true }, resolve: (r) => (r.forkStep == null ? null : Number(r.forkStep)) }),
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

// forkedFrom and forks are plain fields over request loaders (run-relatives.ts): the runs they
// answer with carry the list columns, and any other field of theirs is loaded by Pothos, in
// one statement for all of them.
builder.objectField(Run, "forkedFrom", (t) =>
  t.field({
    type: Run,
    nullable: true,
    resolve: (r, _args, ctx) => {
      if (r.forkedFromId == null) return null;
      const known = relativesInHand(r);
      return known ? known.parent : ctx.loaders().relatives.load(r.id).then((relatives) => relatives?.parent ?? null);
    },
  }),
);

/** A page of a run's forks (when `rows`) and their count: `forkCount`, or read when null. */
async function loadForks(runId: number, args: ConnectionArgs, page: IdPage, ctx: Context, rows: boolean, forkCount: number | null) {
  const loaders = ctx.loaders();
  const [forks, count] = await Promise.all([
    rows ? loaders.forks.load({ runId, page }) : ([] as RunListRow[]),
    forkCount ?? loaders.relatives.load(runId).then((relatives) => relatives?.forkCount ?? 0),
  ]);
  return connectionOf(forks, args, page, count);
}

builder.objectField(Run, "forks", (t) =>
  t.connection(
    {
      type: Run,
      description: "Oldest first.",
      resolve: (run, args, ctx, info) => {
        const page = idPageOf(args);
        // Each part is read only when the selection asks for it: the frontend's list asks the
        // count, which a list read with its runs (relativesInHand).
        const rows = selectsPage(info);
        const known = relativesInHand(run)?.forkCount;
        const readCount = known === undefined && selectsField(info, "totalCount");
        if (!rows && !readCount) return connectionOf<RunListRow>([], args, page, known ?? 0);
        return loadForks(run.id, args, page, ctx, rows, readCount ? null : (known ?? 0));
      },
    },
    RunConnection,
  ),
);

export const MetricAggregateEnum = builder.enumType("MetricAggregate", {
  values: {
    LAST: { description: "The value at the largest step." },
    MIN: { description: "The smallest value, NaN ignored." },
    MAX: { description: "The largest value, NaN ignored." },
  } as const,
});

const MetricConditionInput = builder.inputType("MetricCondition", {
  description: "Runs whose summary of the metric, over the effective history, lies within every bound given; with no bound, runs having the metric. A NaN last value matches nothing.",
  fields: (t) => ({
    name: t.string({ required: true }),
    aggregate: t.field({ type: MetricAggregateEnum, defaultValue: "LAST" }),
    lt: t.float(),
    lte: t.float(),
    gt: t.float(),
    gte: t.float(),
  }),
});

export const RunFilterInput = builder.inputType("RunFilter", {
  fields: (t) => ({
    states: t.field({ type: [RunStateEnum] }),
    tagsAny: t.stringList({ description: "Runs having any of these tags." }),
    runGroup: t.string(),
    nameContains: t.string({ description: "A case-insensitive substring of the name; % and _ match themselves." }),
    createdAfter: t.field({ type: "DateTime", description: "Inclusive." }),
    createdBefore: t.field({ type: "DateTime", description: "Exclusive." }),
    archived: t.boolean({ description: "false or absent: available runs only; true: archived runs only." }),
    includeArchived: t.boolean({ description: "Available and archived runs alike." }),
    forkedFromRunId: t.int(),
    externalId: t.string(),
    metrics: t.field({ type: [MetricConditionInput], description: "All must hold. Only on Query.runs." }),
  }),
});

const RunOrderField = builder.enumType("RunOrderField", {
  values: ["CREATED_AT", "UPDATED_AT", "NUMBER", "NAME", "STATE", "STATE_UPDATED_AT", "STARTED_AT", "FINISHED_AT", "RUN_ID"] as const,
});
const OrderDirection = builder.enumType("OrderDirection", { values: ["ASC", "DESC"] as const });

export const RunOrderInput = builder.inputType("RunOrder", {
  fields: (t) => ({
    field: t.field({ type: RunOrderField, description: "A column; give this or metric." }),
    metric: t.string({
      description: "A metric name: order by its summary over the effective history, runs without it last. Must be the only order; only on Query.runs.",
    }),
    aggregate: t.field({ type: MetricAggregateEnum, defaultValue: "LAST", description: "With metric." }),
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

export function checkRunList(filter: RunFilter | null | undefined, orders: readonly RunOrder[] | null | undefined): void {
  const problem = runListProblem(filter, orders);
  if (problem) throw createGraphQLError(problem, { extensions: { code: "BAD_USER_INPUT" } });
}

type RunListArgs = { projectName?: string | null; filter?: RunFilter | null; orderBy?: readonly RunOrder[] | null };
// The page and totalCount of one field share the list (same args object).
const metricLists = new WeakMap<object, Promise<number[]>>();
function metricRunIds(args: RunListArgs, ctx: Context): Promise<number[]> {
  let ids = metricLists.get(args);
  if (!ids) {
    checkRunList(args.filter, args.orderBy);
    const where = runWhere(orgId(ctx), args.filter, args.projectName);
    ids = runIdsByMetric(ctx.prisma, ctx.sql, orgId(ctx), where, { order: metricOrderOf(args.orderBy), conditions: args.filter?.metrics });
    metricLists.set(args, ids);
  }
  return ids;
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
      totalCount: async (_conn, args, ctx) =>
        usesMetrics(args.filter, args.orderBy)
          ? (await metricRunIds(args, ctx)).length
          : ctx.prisma.run.count({ where: runWhere(orgId(ctx), args.filter, args.projectName) }),
      resolve: async (query, _root, args, ctx) => {
        checkRunList(args.filter, args.orderBy);
        const where = runWhere(orgId(ctx), args.filter, args.projectName);
        if (!usesMetrics(args.filter, args.orderBy)) return ctx.prisma.run.findMany({ ...query, where, orderBy: runOrderBy(args.orderBy) });
        const { take, skip, cursor, ...selection } = query as typeof query & PageQuery;
        const page = pageOf(await metricRunIds(args, ctx), { take, skip, cursor });
        const rows = await ctx.prisma.run.findMany({ ...selection, where: { id: { in: page }, organizationId: orgId(ctx) } });
        const byId = new Map(rows.map((r) => [r.id, r]));
        return page.flatMap((id) => byId.get(id) ?? []);
      },
    },
    RunConnection,
  ),
}));
