import type { Prisma, PrismaClient, Run } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import { createFast, resumeFast } from "./create-run-fast.js";
import { retryingConflicts } from "./db.js";
import { joinOrStart } from "./in-flight.js";
import { LimitExceededError, NotFoundError, ValidationError } from "./errors.js";
import { shallowOverlay, type JsonObject } from "./json-merge.js";
import { LIMITS } from "./limits.js";
import { effectiveMaxStep, loadChain, resolveForkOwner } from "./lineage.js";
import { newRunDerived, resumeConfigPatch } from "./new-run.js";
import { withoutParent } from "./run-row.js";
import { allocateRunNumber, findOrCreateProject, lockProject } from "./projects.js";
import { isTerminal, type RunStateName } from "./run-state.js";
import { lockRun, transitionRun } from "./state-transition.js";
import { dedupe, inheritTags, runGroupFromTags, validateTags } from "./tags.js";
import { InputCheck } from "./validate.js";

export interface ForkSpec {
  parentRunId: number;
  /** Required; null only reaches here from clients that can omit it (REST). */
  step?: number | null;
  inheritConfig?: boolean | null;
  inheritTags?: boolean | null;
}

/** Every writable descriptive field of a run. */
export interface RunFields {
  notes?: string | null;
  runGroup?: string | null;
  config?: JsonObject | null;
  systemMetadata?: JsonObject | null;
  loggerSettings?: JsonObject | null;
  inputData?: unknown;
  result?: unknown;
  runtimeConfig?: JsonObject | null;
  pipelineSpec?: unknown;
  pipelineId?: string | null;
  pipelineVersionId?: string | null;
  serviceAccount?: string | null;
}

export interface CreateRunInput extends RunFields {
  projectName: string;
  name: string;
  externalId?: string | null;
  tags?: string[] | null;
  createdAt?: Date | null;
  updatedAt?: Date | null;
  scheduledAt?: Date | null;
  /** The state the run starts in; RUNNING, as Pluto's clients expect. */
  initialState?: RunStateName | null;
  fork?: ForkSpec | null;
}

export interface CreateRunResult {
  run: Run;
  resumed: boolean;
  /** Set when the run's state changed: its creation, or a finished run resumed. */
  stateChange?: { fromState: Run["state"] | null; toState: Run["state"] };
}

export const FORK_STEP_REQUIRED = "forkStep is required when forkRunId is provided";
export const FORK_PARENT_NOT_FOUND = "Fork parent run not found in this project";
export const ORG_AT_LIMIT = "Organization is at limit";

/** Field checks shared by create and update. */
export function checkRunFields(check: InputCheck, f: RunFields): void {
  check
    .text(["notes"], f.notes, { max: LIMITS.notesLength })
    .text(["runGroup"], f.runGroup, { max: LIMITS.shortTextLength })
    .text(["pipelineId"], f.pipelineId, { max: LIMITS.shortTextLength })
    .text(["pipelineVersionId"], f.pipelineVersionId, { max: LIMITS.shortTextLength })
    .text(["serviceAccount"], f.serviceAccount, { max: LIMITS.shortTextLength })
    .object(["config"], f.config)
    .object(["systemMetadata"], f.systemMetadata)
    .object(["loggerSettings"], f.loggerSettings)
    .object(["runtimeConfig"], f.runtimeConfig)
    .json(["inputData"], f.inputData)
    .json(["result"], f.result)
    .json(["pipelineSpec"], f.pipelineSpec);
}

/** A run group set directly must agree with a `group:` tag. */
export function checkRunGroup(check: InputCheck, tags: string[] | null | undefined, runGroup: string | null | undefined): void {
  const fromTag = tags ? runGroupFromTags(tags) : null;
  if (runGroup != null && fromTag != null && runGroup !== fromTag) {
    check.fail(["runGroup"], `runGroup "${runGroup}" disagrees with the tag group:${fromTag}.`);
  }
}

export function validateCreateRun(input: CreateRunInput): void {
  const check = new InputCheck();
  check
    .text(["projectName"], input.projectName, { required: true, max: LIMITS.projectNameLength })
    .text(["name"], input.name, { required: true, max: LIMITS.nameLength })
    .text(["externalId"], input.externalId, { max: LIMITS.externalIdLength })
    .date(["createdAt"], input.createdAt)
    .date(["updatedAt"], input.updatedAt)
    .date(["scheduledAt"], input.scheduledAt);
  checkRunFields(check, input);
  if (input.tags) check.rule(() => validateTags(input.tags!, ["tags"]));
  checkRunGroup(check, input.tags, input.runGroup);
  // A missing fork step is reported only when the fork is attempted: a resume ignores it.
  if (input.fork) check.step(["fork", "step"], input.fork.step, LIMITS.maxStep);
  check.done();
}

const json = (v: unknown): Prisma.InputJsonValue | undefined => (v == null ? undefined : (v as Prisma.InputJsonValue));

/**
 * Creates a run, or resumes the run with the same externalId in the project (run-model.md,
 * "Resume"), optionally as a fork. Either one statement or one transaction: a rejected
 * request leaves no project, no run and no used-up number behind.
 */
export async function createRun(prisma: PrismaClient, sql: Sql, organizationId: number, input: CreateRunInput): Promise<CreateRunResult> {
  validateCreateRun(input);
  // One statement for the common cases (see create-run-fast.ts); null means "not that case".
  if (!input.externalId) return createNew(prisma, sql, organizationId, input);
  // Every rank of a job starting at once: the first to get here looks the run up and creates
  // it if it is missing; the others reaching this process meanwhile wait for that, then
  // resume the run. Queueing on the project's row lock instead, each would be a write that
  // fails. The lookup is part of the work waited for: a rank whose lookup began before the
  // create committed would find nothing, and create again.
  const key = `${organizationId}\u0000${input.projectName}\u0000${input.externalId}`;
  const first = joinOrStart(sql, key, async (): Promise<CreateRunResult> => {
    const run = await resumeFast(sql, organizationId, input);
    return run ? { run, resumed: true } : createNew(prisma, sql, organizationId, input);
  });
  if (first.started) return first.done as Promise<CreateRunResult>;
  await first.done.catch(() => {});
  const run = await resumeFast(sql, organizationId, input);
  if (run) return { run, resumed: true };
  // The attempt waited for failed (a limit, a fork that could not be made): this request
  // makes its own, and gets its own answer.
  return createNew(prisma, sql, organizationId, input);
}

/** createRun once no run with the externalId was found to resume (or without one). */
async function createNew(prisma: PrismaClient, sql: Sql, organizationId: number, input: CreateRunInput): Promise<CreateRunResult> {
  if (!input.fork) {
    const run = await createFast(sql, organizationId, input);
    if (run) return { run, resumed: false, stateChange: { fromState: null, toState: run.state } };
    // Another process won the externalId race (createFast waited for the winner's
    // commit), so the run is there to resume.
    if (input.externalId) {
      const resumed = await resumeFast(sql, organizationId, input);
      if (resumed) return { run: resumed, resumed: true };
    }
  }
  // Locks make conflicts rare; a retry reads the winner of a race or gets past a deadlock.
  return retryingConflicts(() => prisma.$transaction((tx) => createOrResume(tx, organizationId, input)));
}

async function createOrResume(tx: Prisma.TransactionClient, organizationId: number, input: CreateRunInput): Promise<CreateRunResult> {
  const project = await findOrCreateProject(tx, organizationId, input.projectName);
  if (input.externalId) {
    const resumed = await resumeExisting(tx, organizationId, project.id, input);
    if (resumed) return resumed;
  }
  // Serializes creates in this project: numbering, and the externalId check just below.
  // Always taken here, before the organization's limit lock: one lock order, no deadlock.
  await lockProject(tx, project.id);
  if (input.externalId) {
    const resumed = await resumeExisting(tx, organizationId, project.id, input);
    if (resumed) return resumed;
  }

  const fork = input.fork ? await planFork(tx, organizationId, project.id, input.fork) : null;
  await checkRunLimit(tx, organizationId);
  const number = await allocateRunNumber(tx, project.id);

  const requestedTags = dedupe(input.tags ?? []);
  const tags = fork && input.fork?.inheritTags ? inheritTags(fork.parent.tags, requestedTags) : requestedTags;
  if (fork && input.fork?.inheritTags) validateTags(tags, ["input", "tags"]);
  const config = fork && input.fork?.inheritConfig !== false ? shallowOverlay(fork.parent.config, input.config) : (input.config ?? null);

  const d = newRunDerived(input, tags);
  const run = await tx.run.create({
    data: {
      organizationId,
      projectId: project.id,
      number,
      externalId: input.externalId ?? null,
      name: input.name,
      notes: input.notes ?? null,
      tags,
      runGroup: d.runGroup,
      config: json(config),
      systemMetadata: json(input.systemMetadata),
      loggerSettings: json(input.loggerSettings),
      inputData: json(input.inputData),
      result: json(input.result),
      runtimeConfig: json(input.runtimeConfig),
      pipelineSpec: json(input.pipelineSpec),
      pipelineId: input.pipelineId ?? null,
      pipelineVersionId: input.pipelineVersionId ?? null,
      serviceAccount: input.serviceAccount ?? null,
      state: d.state,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      scheduledAt: d.scheduledAt,
      stateUpdatedAt: d.stateUpdatedAt,
      startedAt: d.startedAt,
      finishedAt: d.finishedAt,
      forkedFromId: fork?.owner.id ?? null,
      forkStep: fork ? BigInt(fork.step) : null,
      forkDepth: fork ? fork.owner.forkDepth + 1 : 0,
      ancestorIds: fork ? [...fork.owner.ancestorIds, fork.owner.id] : [],
      stateEvents: { create: { fromState: null, toState: d.state, source: "API", at: d.createdAt } },
    },
    // In hand for the client's displayId and url (graphql/row-in-hand.ts).
    include: { project: { select: { name: true, runPrefix: true } } },
  });
  return { run: withoutParent(run), resumed: false, stateChange: { fromState: null, toState: run.state } };
}

async function resumeExisting(
  tx: Prisma.TransactionClient,
  organizationId: number,
  projectId: number,
  input: CreateRunInput,
): Promise<CreateRunResult | null> {
  const found = await tx.run.findUnique({ where: { projectId_externalId: { projectId, externalId: input.externalId! } }, select: { id: true } });
  if (!found) return null;
  let run = (await lockRun(tx, organizationId, found.id))!;
  const patch = resumeConfigPatch(input);
  if (patch) {
    // The merge rule lives in SQL (migration jsonb_deep_merge), shared with resumeFast.
    // A merge that changes nothing writes nothing (as in resumeFast).
    await tx.$executeRaw`UPDATE runs SET config = jsonb_deep_merge(config, ${patch}::jsonb), updated_at = now()
      WHERE id = ${run.id} AND jsonb_deep_merge(config, ${patch}::jsonb) IS DISTINCT FROM config`;
    run = await tx.run.findUniqueOrThrow({ where: { id: run.id } });
  }
  if (!isTerminal(run.state)) return { run, resumed: true };
  const t = await transitionRun(tx, run, { to: "RUNNING", source: "RESUME" });
  return { run: t.run, resumed: true, stateChange: { fromState: t.previousState, toState: t.run.state } };
}

interface ForkPlan {
  step: number;
  /** The run the request named: config and tags are inherited from it. */
  parent: Run;
  /** The run that owns `step`: the child's recorded parent. */
  owner: { id: number; forkDepth: number; ancestorIds: number[] };
}

async function planFork(tx: Prisma.TransactionClient, organizationId: number, projectId: number, spec: ForkSpec): Promise<ForkPlan> {
  if (spec.step == null) throw ValidationError.field(["input", "fork", "step"], FORK_STEP_REQUIRED);
  const step = spec.step;
  const parent = await tx.run.findFirst({ where: { id: spec.parentRunId, organizationId, projectId } });
  if (!parent) throw new NotFoundError(FORK_PARENT_NOT_FOUND, "Run");
  const chain = await loadChain(tx, organizationId, parent.id);
  const maxStep = effectiveMaxStep(chain);
  if (maxStep != null && step > maxStep) {
    throw ValidationError.field(["input", "fork", "step"], `forkStep (${step}) exceeds the parent run's max step (${maxStep})`);
  }
  return { step, parent, owner: resolveForkOwner(chain, step) };
}

async function checkRunLimit(tx: Prisma.TransactionClient, organizationId: number): Promise<void> {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { runLimit: true } });
  if (org.runLimit == null) return;
  // Lock the organization so two creates in different projects cannot both take the last
  // slot. NO KEY UPDATE: it must not conflict with the KEY SHARE locks of foreign-key checks.
  await tx.$queryRaw`SELECT id FROM organizations WHERE id = ${organizationId} FOR NO KEY UPDATE`;
  const count = await tx.run.count({ where: { organizationId } });
  if (count >= org.runLimit) throw new LimitExceededError(ORG_AT_LIMIT, org.runLimit);
}
