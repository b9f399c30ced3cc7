import type { PrismaClient } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import { InvalidTransitionError, NotFoundError } from "./errors.js";
import { RUN_NOT_FOUND } from "./run-lifecycle.js";
import type { RunStateName } from "./run-state.js";
import { lockRun, transitionRun, type TransitionResult } from "./state-transition.js";

// Heartbeats and cancellation. A client heartbeats every few seconds; the run's
// heartbeatAt moves at most once per HEARTBEAT_COALESCE_MS (one conditional UPDATE,
// whichever replica answers), and the answer is the run's state, so that a cancelled run
// stops. Cancelling asks (CANCELING); the client's next heartbeat acknowledges (CANCELLED).

export const HEARTBEAT_COALESCE_MS = 30_000;

/** Records a heartbeat and answers the run's state, after acknowledging a cancel (`change`). */
export async function heartbeat(
  prisma: PrismaClient,
  sql: Sql,
  organizationId: number,
  runId: number,
): Promise<{ state: RunStateName; change?: TransitionResult }> {
  const rows = await sql.query<{ state: RunStateName }>(
    `WITH r AS (SELECT id, state, heartbeat_at FROM runs WHERE id = $1 AND organization_id = $2),
     u AS (UPDATE runs SET heartbeat_at = now() FROM r
           WHERE runs.id = r.id AND (r.heartbeat_at IS NULL OR r.heartbeat_at < now() - make_interval(secs => $3::float8 / 1000)))
     SELECT state::text AS state FROM r`,
    [runId, organizationId, HEARTBEAT_COALESCE_MS],
    "heartbeat",
  );
  const state = rows[0]?.state;
  if (!state) throw new NotFoundError(RUN_NOT_FOUND, "Run");
  if (state !== "CANCELING") return { state };
  const t = await prisma.$transaction(async (tx) => {
    const run = await lockRun(tx, organizationId, runId);
    if (!run) throw new NotFoundError(RUN_NOT_FOUND, "Run");
    return transitionRun(tx, run, { to: "CANCELLED", source: "SYSTEM", metadata: { reason: "cancel acknowledged by heartbeat" } });
  });
  return { state: t.run.state, change: t };
}

/** Asks a running run to stop: CANCELING until its client's next heartbeat. */
export async function cancelRun(prisma: PrismaClient, organizationId: number, runId: number): Promise<TransitionResult> {
  return prisma.$transaction(async (tx) => {
    const run = await lockRun(tx, organizationId, runId);
    if (!run) throw new NotFoundError(RUN_NOT_FOUND, "Run");
    if (run.state === "PENDING" || run.state === "PAUSED") return transitionRun(tx, run, { to: "CANCELLED", source: "API" });
    if (run.state !== "RUNNING" && run.state !== "CANCELING") {
      throw new InvalidTransitionError(`A ${run.state} run cannot be cancelled.`, run.state, "CANCELING");
    }
    return transitionRun(tx, run, { to: "CANCELING", source: "API" });
  });
}
