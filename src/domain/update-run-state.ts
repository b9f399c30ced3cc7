import type { PrismaClient } from "../generated/prisma/client.js";
import { NotFoundError } from "./errors.js";
import { LIMITS } from "./limits.js";
import type { RunStateName } from "./run-state.js";
import { lockRun, transitionRun, type RunErrorInfo, type TransitionResult } from "./state-transition.js";
import { InputCheck } from "./validate.js";

export interface UpdateRunStateInput {
  runId: number;
  state: RunStateName;
  error?: RunErrorInfo | null;
  metadata?: unknown;
  /** An operator's explicit action: may move a finished run anywhere. */
  force?: boolean | null;
}

export async function updateRunState(
  prisma: PrismaClient,
  organizationId: number,
  input: UpdateRunStateInput,
): Promise<TransitionResult> {
  const check = new InputCheck();
  if (input.error) {
    check.text(["error", "message"], input.error.message, { required: true, max: LIMITS.notesLength });
    check.text(["error", "code"], input.error.code, { max: LIMITS.shortTextLength });
    check.json(["error", "details"], input.error.details);
  }
  check.json(["metadata"], input.metadata);
  check.done();
  return prisma.$transaction(async (tx) => {
    const run = await lockRun(tx, organizationId, input.runId);
    if (!run) throw new NotFoundError(`Run ${input.runId} not found.`, "Run");
    return transitionRun(tx, run, {
      to: input.state,
      source: input.force ? "OPERATOR" : "API",
      error: input.error,
      metadata: input.metadata,
    });
  });
}
