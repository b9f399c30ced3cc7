import type { Run } from "../generated/prisma/client.js";

// Runs read with plain SQL (the hot paths) take the shape Prisma gives them, so the GraphQL
// layer cannot tell the two apart. RUN_COLUMNS selects int8 columns as text: pg and Prisma
// would return them as different types.

export const RUN_COLUMNS = `r.id, r.organization_id, r.project_id, r.number, r.external_id, r.name, r.notes, r.tags,
  r.run_group, r.config, r.system_metadata, r.logger_settings, r.input_data, r.result, r.runtime_config, r.pipeline_spec,
  r.pipeline_id, r.pipeline_version_id, r.service_account, r.state::text AS state, r.error, r.storage_state::text AS storage_state,
  r.created_at, r.updated_at, r.scheduled_at, r.started_at, r.finished_at, r.state_updated_at, r.heartbeat_at, r.last_logged_at,
  r.forked_from_id, r.fork_step::text AS fork_step, r.fork_depth, r.ancestor_ids, r.max_step::text AS max_step`;

/** The project columns a hot path may select beside RUN_COLUMNS (needed for displayId and url). */
export const PROJECT_COLUMNS = `p.name AS project_name, p.run_prefix AS project_run_prefix`;

/** A run row, with what a hot path knows of its relations (see graphql/row-in-hand.ts). */
export type RunInHand = Run & { project?: { name: string; runPrefix: string }; forkedFrom?: null };

type Row = Record<string, unknown>;

const date = (v: unknown) => (v == null ? null : new Date(v as string | Date));
const big = (v: unknown) => (v == null ? null : BigInt(v as string));

export function runFromRow(r: Row): RunInHand {
  const run: RunInHand = {
    id: r.id as number,
    organizationId: r.organization_id as number,
    projectId: r.project_id as number,
    number: (r.number as number | null) ?? null,
    externalId: (r.external_id as string | null) ?? null,
    name: r.name as string,
    notes: (r.notes as string | null) ?? null,
    tags: (r.tags as string[]) ?? [],
    runGroup: (r.run_group as string | null) ?? null,
    config: (r.config ?? null) as Run["config"],
    systemMetadata: (r.system_metadata ?? null) as Run["systemMetadata"],
    loggerSettings: (r.logger_settings ?? null) as Run["loggerSettings"],
    inputData: (r.input_data ?? null) as Run["inputData"],
    result: (r.result ?? null) as Run["result"],
    runtimeConfig: (r.runtime_config ?? null) as Run["runtimeConfig"],
    pipelineSpec: (r.pipeline_spec ?? null) as Run["pipelineSpec"],
    pipelineId: (r.pipeline_id as string | null) ?? null,
    pipelineVersionId: (r.pipeline_version_id as string | null) ?? null,
    serviceAccount: (r.service_account as string | null) ?? null,
    state: r.state as Run["state"],
    error: (r.error ?? null) as Run["error"],
    storageState: r.storage_state as Run["storageState"],
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    scheduledAt: date(r.scheduled_at),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    stateUpdatedAt: date(r.state_updated_at),
    heartbeatAt: date(r.heartbeat_at),
    lastLoggedAt: date(r.last_logged_at),
    forkedFromId: (r.forked_from_id as number | null) ?? null,
    forkStep: big(r.fork_step),
    forkDepth: r.fork_depth as number,
    ancestorIds: (r.ancestor_ids as number[]) ?? [],
    maxStep: big(r.max_step),
  };
  if (r.project_name !== undefined) run.project = { name: r.project_name as string, runPrefix: r.project_run_prefix as string };
  return withoutParent(run);
}

/** A run that is no fork holds all there is of its parent: nothing. */
export function withoutParent<T extends Run>(run: T): T & { forkedFrom?: null } {
  return run.forkedFromId === null ? { ...run, forkedFrom: null } : run;
}
