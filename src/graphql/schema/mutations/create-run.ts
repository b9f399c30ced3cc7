import { builder } from "../../builder.js";
import { orgId, type Context } from "../../context.js";
import { createRun, type CreateRunResult } from "../../../domain/create-run.js";
import { forkRun } from "../../../domain/fork-run.js";
import { LimitExceededError, NotFoundError, ValidationError } from "../../../domain/errors.js";
import { announceRunChanged } from "../../publish.js";
import { Run } from "../run.js";
import { runInHand } from "../../row-in-hand.js";
import { RunStateEnum } from "../run-state-event.js";
import { RunFieldsInput } from "./run-fields.js";

export const ForkSpecInput = builder.inputType("ForkSpec", {
  fields: (t) => ({
    parentRunId: t.int({ required: true }),
    step: t.field({
      type: "SafeInt",
      description:
        "Inherit the parent's history up to and including this step. Required for a fork; left nullable so that a " +
        "resume (which ignores the fork) succeeds without it, as Pluto's clients expect. A fork without it is a ValidationError.",
    }),
    inheritConfig: t.boolean({ defaultValue: true }),
    inheritTags: t.boolean({ defaultValue: false }),
  }),
});

const CreateRunInput = builder.inputType("CreateRunInput", {
  fields: (t) => ({
    projectName: t.string({ required: true, description: "Created on first use." }),
    name: t.string({ required: true }),
    externalId: t.string({ description: "Client-chosen id: a create with an existing one resumes that run." }),
    tags: t.stringList(),
    createdAt: t.field({ type: "DateTime", description: "Backfill; defaults to now." }),
    updatedAt: t.field({ type: "DateTime" }),
    scheduledAt: t.field({ type: "DateTime", description: "Defaults to createdAt." }),
    initialState: t.field({ type: RunStateEnum, description: "Defaults to RUNNING." }),
    fork: t.field({ type: ForkSpecInput, description: "Create the run as a fork of another run of the same project." }),
    ...RunFieldsInput(t),
  }),
});

const CreateRunSuccess = builder.objectRef<CreateRunResult>("CreateRunSuccess").implement({
  fields: (t) => ({
    run: t.prismaField({ type: Run, resolve: (query, s, _args, ctx) => runInHand(query, s.run, ctx) }),
    resumed: t.exposeBoolean("resumed", { description: "True when an existing run with this externalId was returned." }),
  }),
});

const ForkRunInput = builder.inputType("ForkRunInput", {
  fields: (t) => ({
    parentRunId: t.int({ required: true }),
    step: t.field({ type: "SafeInt", required: true }),
    name: t.string({ description: "Defaults to the parent's name." }),
    tags: t.stringList(),
    config: t.field({ type: "JSONObject" }),
    inheritConfig: t.boolean({ defaultValue: true }),
    inheritTags: t.boolean({ defaultValue: false }),
    externalId: t.string(),
  }),
});

const ForkRunSuccess = builder.objectRef<CreateRunResult>("ForkRunSuccess").implement({
  fields: (t) => ({
    run: t.prismaField({ type: Run, resolve: (query, s, _args, ctx) => runInHand(query, s.run, ctx) }),
    resumed: t.exposeBoolean("resumed", { description: "True when an existing fork with this externalId was returned." }),
  }),
});

const errors = [ValidationError, NotFoundError, LimitExceededError];

async function announced(ctx: Context, result: CreateRunResult, projectName?: string): Promise<CreateRunResult> {
  await announceRunChanged(ctx, result.run, result.stateChange, projectName);
  return result;
}

builder.mutationFields((t) => ({
  createRun: t.field({
    type: CreateRunSuccess,
    errors: { types: errors, union: { name: "CreateRunResult" } },
    args: { input: t.arg({ type: CreateRunInput, required: true }) },
    resolve: async (_root, { input }, ctx) => announced(ctx, await createRun(ctx.prisma, ctx.sql, orgId(ctx), input), input.projectName),
  }),
  forkRun: t.field({
    type: ForkRunSuccess,
    errors: { types: errors, union: { name: "ForkRunResult" } },
    args: { input: t.arg({ type: ForkRunInput, required: true }) },
    resolve: async (_root, { input }, ctx) => announced(ctx, await forkRun(ctx.prisma, ctx.sql, orgId(ctx), input)),
  }),
}));
