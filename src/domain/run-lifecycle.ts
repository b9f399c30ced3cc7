import type { PrismaClient, Run } from "../generated/prisma/client.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { ambiguousDisplayId, runLocatorWhere, type RunLocator } from "./find-run.js";
import { isJsonObject, type JsonObject } from "./json-merge.js";
import { LIMITS } from "./limits.js";
import { isTerminal } from "./run-state.js";
import { lockRun, transitionRun, type TransitionResult } from "./state-transition.js";
import { updateRun } from "./update-run.js";
import { InputCheck } from "./validate.js";

// A run's life after its creation, as a tracking client drives it: resume by id, config
// deltas, notes, heartbeats and cancellation (run-model.md; Pluto's SDK in pluto-wire.md).

export const RUN_NOT_FOUND = "Run not found";

/** One run of the organization by runId, displayId (project optional) or externalId + project. */
export async function findRunOrThrow(prisma: PrismaClient, organizationId: number, locator: RunLocator): Promise<Run> {
  const runs = await prisma.run.findMany({ where: runLocatorWhere(organizationId, locator), include: { project: { select: { name: true } } }, take: 2 });
  if (runs.length === 0) throw new NotFoundError(RUN_NOT_FOUND, "Run");
  if (runs.length > 1 && locator.displayId != null) throw ambiguousDisplayId(locator.displayId, runs.map((r) => r.project.name));
  return runs[0]!;
}

/** Resume an existing run: a finished one goes back to RUNNING with a RESUME event. */
export async function resumeRun(prisma: PrismaClient, organizationId: number, locator: RunLocator): Promise<TransitionResult> {
  const found = await findRunOrThrow(prisma, organizationId, locator);
  return prisma.$transaction(async (tx) => {
    const run = await lockRun(tx, organizationId, found.id);
    if (!run) throw new NotFoundError(RUN_NOT_FOUND, "Run");
    if (!isTerminal(run.state)) return { run, applied: false, previousState: run.state };
    return transitionRun(tx, run, { to: "RUNNING", source: "RESUME" });
  });
}

/** Deep-merges a delta into the run's config, with the rule resume uses (jsonb_deep_merge). */
export async function mergeRunConfig(prisma: PrismaClient, organizationId: number, runId: number, delta: JsonObject): Promise<void> {
  if (!isJsonObject(delta)) throw ValidationError.field(["config"], "config must be a JSON object.");
  new InputCheck([]).json(["config"], delta).done();
  const patch = JSON.stringify(delta);
  const n = await prisma.$executeRaw`UPDATE runs SET config = jsonb_deep_merge(config, ${patch}::jsonb), updated_at = now()
    WHERE id = ${runId} AND organization_id = ${organizationId}`;
  if (n === 0) throw new NotFoundError(RUN_NOT_FOUND, "Run");
}

/** Replaces the notes; an empty string clears them. */
export function setNotes(prisma: PrismaClient, organizationId: number, runId: number, notes: string | null): Promise<Run> {
  if (notes != null && notes.length > LIMITS.notesLength) throw ValidationError.field(["notes"], `notes must be at most ${LIMITS.notesLength} characters.`);
  return updateRun(prisma, organizationId, { runId, notes: notes === "" ? null : notes });
}
