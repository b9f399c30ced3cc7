import { builder } from "../../builder.js";
import { orgId } from "../../context.js";
import { announceMetricsLogged } from "../../publish.js";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import { LIMITS } from "../../../domain/limits.js";
import { logMetrics, pointsOf } from "../../../domain/log-metrics.js";

const MetricPointInput = builder.inputType("MetricPointInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    step: t.field({ type: "SafeInt", required: true, description: "An integer ≥ 0; logging a (name, step) again replaces its value." }),
    value: t.field({ type: "MetricValue", required: true }),
    time: t.field({ type: "DateTime", description: "Defaults to now." }),
  }),
});

const MetricSeriesInput = builder.inputType("MetricSeriesInput", {
  description: "One metric's points as parallel arrays: the compact form for large batches (much less to parse than one object per point).",
  fields: (t) => ({
    name: t.string({ required: true }),
    steps: t.field({ type: ["SafeInt"], required: true }),
    values: t.field({ type: ["MetricValue"], required: true, description: "One per step." }),
    times: t.field({ type: ["DateTime"], description: "One per step; defaults to now." }),
  }),
});

const LogMetricsInput = builder.inputType("LogMetricsInput", {
  fields: (t) => ({
    runId: t.int({ required: true }),
    points: t.field({ type: [MetricPointInput], description: `At most ${LIMITS.pointsPerCall} points a call, with those of \`series\`.` }),
    series: t.field({ type: [MetricSeriesInput], description: "The same as points, one metric at a time in arrays." }),
  }),
});

const LogMetricsSuccess = builder.objectRef<{ accepted: number }>("LogMetricsSuccess").implement({
  fields: (t) => ({ accepted: t.exposeInt("accepted", { description: "Distinct (name, step) points stored." }) }),
});

builder.mutationField("logMetrics", (t) =>
  t.field({
    type: LogMetricsSuccess,
    errors: { types: [ValidationError, NotFoundError], union: { name: "LogMetricsResult" } },
    args: { input: t.arg({ type: LogMetricsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const result = await logMetrics(ctx.sql, orgId(ctx), { runId: input.runId, points: pointsOf(input) });
      if (result.accepted > 0) announceMetricsLogged(ctx, input.runId, result.names, result.accepted, result.maxStep);
      return result;
    },
  }),
);
