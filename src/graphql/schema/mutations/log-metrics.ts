import { builder } from "../../builder.js";
import { orgId } from "../../context.js";
import { announceMetricsLogged } from "../../publish.js";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import { LIMITS } from "../../../domain/limits.js";
import { logMetrics } from "../../../domain/log-metrics.js";

const MetricPointInput = builder.inputType("MetricPointInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    step: t.field({ type: "SafeInt", required: true, description: "An integer ≥ 0; logging a (name, step) again replaces its value." }),
    value: t.field({ type: "MetricValue", required: true }),
    time: t.field({ type: "DateTime", description: "Defaults to now." }),
  }),
});

const LogMetricsInput = builder.inputType("LogMetricsInput", {
  fields: (t) => ({
    runId: t.int({ required: true }),
    points: t.field({ type: [MetricPointInput], required: true, description: `At most ${LIMITS.pointsPerCall} points.` }),
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
      const result = await logMetrics(ctx.prisma, orgId(ctx), input);
      if (result.accepted > 0) {
        const names = [...new Set(input.points.map((p) => p.name))];
        announceMetricsLogged(ctx, input.runId, names, result.accepted, Math.max(...input.points.map((p) => p.step)));
      }
      return result;
    },
  }),
);
