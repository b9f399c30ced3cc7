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

export interface LivenessRules {
  /** A RUNNING run that heartbeats is lost after this long without a heartbeat or a metric. */
  heartbeatTimeoutMs: number;
  /** A RUNNING run that never heartbeat is lost after this long without a metric (or since it started). */
  silentTimeoutMs: number;
}

/** Key of the advisory lock that lets one replica sweep at a time. */
const SWEEP_LOCK = 0x6d6c7377; // "mlsw"
const SWEEP_BATCH = 500;

export interface LostRun {
  organizationId: number;
  result: TransitionResult;
}

/**
 * Marks lost runs FAILED with a SYSTEM event. Several replicas may call it at once: the one
 * holding the advisory lock sweeps, the others return at once with nothing.
 */
export async function sweepLostRuns(prisma: PrismaClient, rules: LivenessRules, now = new Date()): Promise<LostRun[]> {
  return prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS ok`;
      if (!lock?.ok) return [];
      const heartbeatCut = new Date(now.getTime() - rules.heartbeatTimeoutMs);
      const silentCut = new Date(now.getTime() - rules.silentTimeoutMs);
      const lost = await tx.$queryRaw<{ id: number; organization_id: number; heartbeat_at: Date | null }[]>`
        SELECT id, organization_id, heartbeat_at FROM runs
        WHERE state = 'RUNNING' AND (
          (heartbeat_at IS NOT NULL AND heartbeat_at < ${heartbeatCut} AND (last_logged_at IS NULL OR last_logged_at < ${heartbeatCut}))
          OR (heartbeat_at IS NULL AND COALESCE(last_logged_at, started_at, created_at) < ${silentCut}))
        ORDER BY id LIMIT ${SWEEP_BATCH}
        FOR NO KEY UPDATE SKIP LOCKED`;
      const out: LostRun[] = [];
      for (const r of lost) {
        const run = await tx.run.findUniqueOrThrow({ where: { id: r.id } });
        const silentFor = r.heartbeat_at ? rules.heartbeatTimeoutMs : rules.silentTimeoutMs;
        const result = await transitionRun(tx, run, {
          to: "FAILED",
          source: "SYSTEM",
          error: {
            code: r.heartbeat_at ? "HEARTBEAT_LOST" : "NO_ACTIVITY",
            message: r.heartbeat_at
              ? `No heartbeat or metric for ${silentFor / 1000} s: the run's process is presumed dead.`
              : `No heartbeat and no metric for ${silentFor / 1000} s: the run's process is presumed dead.`,
          },
          at: now,
        });
        out.push({ organizationId: r.organization_id, result });
      }
      return out;
    },
    { timeout: 60_000 },
  );
}
