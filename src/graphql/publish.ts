import type { Run } from "../generated/prisma/client.js";
import { projectKey, runKey } from "../events.js";
import { orgId, type Context } from "./context.js";

// What mutations announce to subscribers, after their write succeeded.

type StateChange = { fromState: string | null; toState: string; source?: string };

/** `projectName` when the caller knows it, which spares a lookup on the create path. */
export function announceRunChanged(
  ctx: Context,
  run: Pick<Run, "id" | "projectId" | "stateUpdatedAt">,
  stateChange?: StateChange | null,
  projectName?: string,
): Promise<void> {
  return announceRunChangedIn(ctx, orgId(ctx), run, stateChange, projectName);
}

/** The same, for changes no request made (the liveness sweeper). */
export async function announceRunChangedIn(
  ctx: Pick<Context, "events" | "prisma">,
  org: number,
  run: Pick<Run, "id" | "projectId" | "stateUpdatedAt">,
  stateChange?: StateChange | null,
  projectName?: string,
): Promise<void> {
  ctx.events.publish("run-updated", runKey(org, run.id), { runId: run.id });
  if (!stateChange) return;
  const name = projectName ?? (await ctx.prisma.project.findUnique({ where: { id: run.projectId }, select: { name: true } }))?.name;
  if (name == null) return;
  ctx.events.publish("run-state", projectKey(org, name), {
    runId: run.id,
    fromState: stateChange.fromState,
    toState: stateChange.toState,
    source: stateChange.source ?? (stateChange.fromState === null ? "API" : "RESUME"),
    at: (run.stateUpdatedAt ?? new Date()).toISOString(),
  });
}

export function announceMetricsLogged(ctx: Context, runId: number, names: string[], points: number, maxStep: number): void {
  ctx.events.publish("metrics-logged", runKey(orgId(ctx), runId), { runId, names, points, maxStep });
  ctx.metrics?.ingestedPoints(points);
}
