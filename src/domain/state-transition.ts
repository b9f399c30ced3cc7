import type { Prisma, Run } from "../generated/prisma/client.js";
import type { Db } from "./db.js";
import { InvalidTransitionError } from "./errors.js";
import { decideTransition, isTerminal, type RunStateName, type StateSource } from "./run-state.js";

export interface RunErrorInfo {
  code?: string | null;
  message: string;
  details?: unknown;
}

export interface TransitionRequest {
  to: RunStateName;
  source: StateSource;
  error?: RunErrorInfo | null;
  metadata?: unknown;
  at?: Date;
}

const json = (v: unknown) => (v == null ? undefined : (v as Prisma.InputJsonValue));

export function errorJson(error: RunErrorInfo | null | undefined): Prisma.InputJsonValue | undefined {
  if (!error) return undefined;
  return { code: error.code ?? null, message: error.message, details: (error.details ?? null) as Prisma.InputJsonValue };
}

/** Locks the run row for the rest of the transaction: transitions of one run never interleave. */
export async function lockRun(db: Db, organizationId: number, runId: number): Promise<Run | null> {
  const locked = await db.$queryRaw<{ id: number }[]>`
    SELECT id FROM runs WHERE id = ${runId} AND organization_id = ${organizationId} FOR NO KEY UPDATE`;
  if (locked.length === 0) return null;
  return db.run.findUnique({ where: { id: runId } });
}

/**
 * Applies a state change to a run locked by the caller's transaction: updates the run's
 * state and times, appends the event. Returns whether anything changed.
 */
export interface TransitionResult {
  run: Run;
  applied: boolean;
  /** The state before; equal to run.state when nothing was applied. */
  previousState: Run["state"];
}

export async function transitionRun(db: Db, run: Run, req: TransitionRequest): Promise<TransitionResult> {
  const decision = decideTransition(run.state, req.to, req.source);
  if (decision.kind === "invalid") throw new InvalidTransitionError(decision.reason, run.state, req.to);
  if (decision.kind !== "apply") return { run, applied: false, previousState: run.state };

  const at = req.at ?? new Date();
  const error = errorJson(req.error);
  const updated = await db.run.update({
    where: { id: run.id },
    data: {
      state: req.to,
      stateUpdatedAt: at,
      updatedAt: at,
      ...(req.to === "RUNNING" && !run.startedAt ? { startedAt: at } : {}),
      ...(isTerminal(req.to) && !run.finishedAt ? { finishedAt: at } : {}),
      ...(error ? { error } : {}),
    },
  });
  await db.runStateEvent.create({
    data: { runId: run.id, fromState: run.state, toState: req.to, source: req.source, error, metadata: json(req.metadata), at },
  });
  return { run: updated, applied: true, previousState: run.state };
}
