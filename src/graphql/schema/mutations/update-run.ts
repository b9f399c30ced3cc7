import { builder } from "../../builder.js";
import { orgId, type Context } from "../../context.js";
import { announceRunChanged } from "../../publish.js";
import { InvalidTransitionError, NotFoundError, ValidationError } from "../../../domain/errors.js";
import type { Run as RunRow } from "../../../generated/prisma/client.js";
import { setStorageState, updateRun } from "../../../domain/update-run.js";
import { updateRunState } from "../../../domain/update-run-state.js";
import { cancelRun } from "../../../domain/liveness.js";
import { Run } from "../run.js";
import { runInHand } from "../../row-in-hand.js";
import { RunStateEnum } from "../run-state-event.js";
import { RunFieldsInput } from "./run-fields.js";

const RunErrorInput = builder.inputType("RunErrorInput", {
  fields: (t) => ({
    code: t.string(),
    message: t.string({ required: true }),
    details: t.field({ type: "JSON" }),
  }),
});

const UpdateRunStateInput = builder.inputType("UpdateRunStateInput", {
  fields: (t) => ({
    runId: t.int({ required: true }),
    state: t.field({ type: RunStateEnum, required: true }),
    error: t.field({ type: RunErrorInput, description: "Recorded on the event; becomes the run's error." }),
    metadata: t.field({ type: "JSON" }),
    force: t.boolean({ defaultValue: false, description: "An operator's explicit action: allows moving a finished run." }),
  }),
});

const UpdateRunStateSuccess = builder.objectRef<{ run: RunRow; applied: boolean }>("UpdateRunStateSuccess").implement({
  fields: (t) => ({
    run: t.prismaField({ type: Run, resolve: (query, s, _args, ctx) => runInHand(query, s.run, ctx) }),
    applied: t.exposeBoolean("applied", {
      description: "False when nothing changed: the run already had that state, or a more severe final state won.",
    }),
  }),
});

const UpdateRunInput = builder.inputType("UpdateRunInput", {
  fields: (t) => ({
    runId: t.int({ required: true }),
    name: t.string(),
    tags: t.stringList({ description: "Replaces the tags." }),
    scheduledAt: t.field({ type: "DateTime" }),
    heartbeatAt: t.field({ type: "DateTime" }),
    ...RunFieldsInput(t),
  }),
});

class UpdatedRun {
  constructor(readonly run: RunRow) {}
}

const UpdateRunSuccess = builder.objectType(UpdatedRun, {
  name: "UpdateRunSuccess",
  isTypeOf: (v) => v instanceof UpdatedRun,
  fields: (t) => ({ run: t.prismaField({ type: Run, resolve: (query, s, _args, ctx) => runInHand(query, s.run, ctx) }) }),
});

async function announced(ctx: Context, run: RunRow): Promise<UpdatedRun> {
  await announceRunChanged(ctx, run);
  return new UpdatedRun(run);
}

// One result union shared by updateRun, archiveRun and unarchiveRun.
const UpdateRunResult = builder.errorUnion("UpdateRunResult", { types: [UpdateRunSuccess, ValidationError, NotFoundError] });

builder.mutationFields((t) => ({
  updateRunState: t.field({
    type: UpdateRunStateSuccess,
    errors: { types: [ValidationError, NotFoundError, InvalidTransitionError], union: { name: "UpdateRunStateResult" } },
    args: { input: t.arg({ type: UpdateRunStateInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const result = await updateRunState(ctx.prisma, orgId(ctx), input);
      if (result.applied) {
        const source = input.force ? "OPERATOR" : "API";
        await announceRunChanged(ctx, result.run, { fromState: result.previousState, toState: result.run.state, source });
      }
      return result;
    },
  }),
  updateRun: t.field({
    type: UpdateRunResult,
    args: { input: t.arg({ type: UpdateRunInput, required: true }) },
    resolve: async (_root, { input }, ctx) => announced(ctx, await updateRun(ctx.prisma, orgId(ctx), input)),
  }),
  cancelRun: t.field({
    type: UpdateRunStateSuccess,
    description:
      "Asks a running run to stop: CANCELING until its client's next heartbeat acknowledges it (then CANCELLED). A PENDING or PAUSED run is CANCELLED at once.",
    errors: { types: [NotFoundError, InvalidTransitionError], union: { name: "CancelRunResult" } },
    args: { runId: t.arg.int({ required: true }) },
    resolve: async (_root, { runId }, ctx) => {
      const result = await cancelRun(ctx.prisma, orgId(ctx), runId);
      if (result.applied) await announceRunChanged(ctx, result.run, { fromState: result.previousState, toState: result.run.state, source: "API" });
      return result;
    },
  }),
  archiveRun: t.field({
    type: UpdateRunResult,
    args: { runId: t.arg.int({ required: true }) },
    resolve: async (_root, { runId }, ctx) => announced(ctx, await setStorageState(ctx.prisma, orgId(ctx), runId, true)),
  }),
  unarchiveRun: t.field({
    type: UpdateRunResult,
    args: { runId: t.arg.int({ required: true }) },
    resolve: async (_root, { runId }, ctx) => announced(ctx, await setStorageState(ctx.prisma, orgId(ctx), runId, false)),
  }),
}));
