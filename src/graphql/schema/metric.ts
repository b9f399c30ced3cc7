import { builder } from "../builder.js";
import { orgId, type Context } from "../context.js";
import { LIMITS } from "../../domain/limits.js";
import { createGraphQLError } from "graphql-yoga";
import {
  MAX_BUCKETS,
  metricHistory,
  metricPointCount,
  type HistoryPoint,
  type MetricBucket,
  type MetricSummary,
} from "../../domain/metric-history.js";

export const MetricSummaryRef = builder.objectRef<MetricSummary>("MetricSummary").implement({
  description: "Over the run's effective history (its ancestors' points up to each fork step, then its own).",
  fields: (t) => ({
    name: t.exposeString("name"),
    last: t.field({ type: "MetricValue", nullable: true, resolve: (s) => s.last }),
    firstStep: t.field({ type: "SafeInt", nullable: true, resolve: (s) => s.firstStep }),
    lastStep: t.field({ type: "SafeInt", nullable: true, resolve: (s) => s.lastStep }),
    // MetricValue rather than Float: ±Infinity are legal values, and a GraphQL Float cannot carry them.
    min: t.field({ type: "MetricValue", nullable: true, description: "Ignores NaN; may be -Infinity.", resolve: (s) => s.min }),
    max: t.field({ type: "MetricValue", nullable: true, description: "Ignores NaN; may be Infinity.", resolve: (s) => s.max }),
    count: t.exposeInt("count"),
  }),
});

export const MetricPointRef = builder.objectRef<HistoryPoint>("MetricPoint").implement({
  fields: (t) => ({
    step: t.field({ type: "SafeInt", resolve: (p) => p.step }),
    value: t.field({ type: "MetricValue", resolve: (p) => p.value }),
    time: t.field({ type: "DateTime", resolve: (p) => p.time }),
    runId: t.int({ description: "The run that logged this point (an ancestor for inherited points).", resolve: (p) => p.runId }),
  }),
});

const MetricBucketRef = builder.objectRef<MetricBucket>("MetricBucket").implement({
  fields: (t) => ({
    fromStep: t.field({ type: "SafeInt", resolve: (b) => b.fromStep }),
    toStep: t.field({ type: "SafeInt", resolve: (b) => b.toStep }),
    count: t.exposeInt("count"),
    min: t.field({ type: "MetricValue", nullable: true, description: "Ignores NaN.", resolve: (b) => b.min }),
    max: t.field({ type: "MetricValue", nullable: true, description: "Ignores NaN.", resolve: (b) => b.max }),
    mean: t.field({ type: "MetricValue", nullable: true, description: "Ignores NaN.", resolve: (b) => b.mean }),
    first: t.field({ type: "MetricValue", resolve: (b) => b.first }),
    last: t.field({ type: "MetricValue", resolve: (b) => b.last }),
    lastStep: t.field({ type: "SafeInt", resolve: (b) => b.lastStep }),
  }),
});

export const MetricPointConnection = builder.connectionObject({ type: MetricPointRef, name: "MetricPointConnection" });

export interface MetricSeriesShape {
  runId: number;
  summary: MetricSummary;
}

// Every read of a run's series starts from its chain: one batched statement per request.
const chainOf = (ctx: Context) => (runId: number) => ctx.loaders().chain.load(runId);

const cursorOf = (step: number) => Buffer.from(`step:${step}`).toString("base64");
function stepOfCursor(cursor: string | null | undefined): number | null {
  if (!cursor) return null;
  const m = /^step:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return m ? Number(m[1]) : null;
}

export const MetricSeries = builder.objectRef<MetricSeriesShape>("MetricSeries").implement({
  fields: (t) => ({
    name: t.string({ resolve: (s) => s.summary.name }),
    summary: t.field({ type: MetricSummaryRef, resolve: (s) => s.summary }),
    buckets: t.field({
      type: [MetricBucketRef],
      description: "Downsampled effective history: at most `count` buckets of equal step width over [fromStep, toStep]; empty buckets are left out.",
      args: {
        count: t.arg.int({ required: true }),
        fromStep: t.arg({ type: "SafeInt" }),
        toStep: t.arg({ type: "SafeInt" }),
        ownOnly: t.arg.boolean({ defaultValue: false }),
      },
      resolve: (series, args, ctx) => {
        if (args.count < 1 || args.count > MAX_BUCKETS) {
          throw createGraphQLError(`count must be between 1 and ${MAX_BUCKETS}.`, { extensions: { code: "BAD_USER_INPUT" } });
        }
        return ctx.loaders().buckets.load({ runId: series.runId, name: series.summary.name, ...args, known: series.summary });
      },
    }),
    history: t.connection(
      {
        type: MetricPointRef,
        description: `Points in step order. Pages hold at most ${LIMITS.metricPageSize} points.`,
        args: {
          fromStep: t.arg({ type: "SafeInt" }),
          toStep: t.arg({ type: "SafeInt" }),
          ownOnly: t.arg.boolean({ defaultValue: false, description: "Only the points this run logged itself." }),
        },
        resolve: async (series, args, ctx) => {
          if (args.last != null || args.before != null) throw new Error("history pages forward only: use first and after.");
          const limit = Math.min(args.first ?? 1000, LIMITS.metricPageSize);
          const { points, hasMore } = await metricHistory(ctx.sql, orgId(ctx), series.runId, series.summary.name, {
            fromStep: args.fromStep,
            toStep: args.toStep,
            ownOnly: args.ownOnly,
            afterStep: stepOfCursor(args.after),
            limit,
          }, chainOf(ctx));
          return {
            edges: points.map((p) => ({ cursor: cursorOf(p.step), node: p })),
            pageInfo: {
              hasNextPage: hasMore,
              hasPreviousPage: args.after != null,
              startCursor: points[0] ? cursorOf(points[0].step) : null,
              endCursor: points.at(-1) ? cursorOf(points.at(-1)!.step) : null,
            },
            totalCount: () =>
              metricPointCount(ctx.sql, orgId(ctx), series.runId, series.summary.name, {
                fromStep: args.fromStep,
                toStep: args.toStep,
                ownOnly: args.ownOnly,
              }, chainOf(ctx)),
          };
        },
      },
      MetricPointConnection,
    ),
  }),
});
