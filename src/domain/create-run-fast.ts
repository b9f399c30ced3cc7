import type { Run } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import { sqlErrorCode } from "./db.js";
import type { CreateRunInput } from "./create-run.js";
import { runPrefix } from "./run-prefix.js";
import { newRunDerived, resumeConfigPatch } from "./new-run.js";
import { TERMINAL_STATES } from "./run-state.js";
import { PROJECT_COLUMNS, RUN_COLUMNS, runFromRow, withoutParent, type RunInHand } from "./run-row.js";
import { dedupe } from "./tags.js";
import { deepMergeChanges } from "./json-merge.js";

// The common cases of createRun as one statement each: a resume of a run that is not
// finished, and a new run that is not a fork in an organization without a run limit.
// Anything else answers null and createRun takes its transactional path, which holds
// every rule; these statements only do the same thing faster.

const jsonParam = (v: unknown) => (v == null ? null : JSON.stringify(v));

/**
 * Resumes the run with this externalId if it exists and is not finished; else null (the
 * transaction handles it). Every rank of a job resumes with the same config: the merge is
 * decided on the row read, and only one that changes something is written, by an UPDATE
 * that merges in SQL under the row lock (concurrent resumes lose no key).
 */
export async function resumeFast(sql: Sql, organizationId: number, input: CreateRunInput): Promise<Run | null> {
  const where = `p.id = r.project_id AND p.organization_id = $1 AND p.name = $2 AND r.external_id = $3
    AND r.state <> ALL($4::"RunState"[])`;
  const params = [organizationId, input.projectName, input.externalId, [...TERMINAL_STATES]];
  const columns = `${RUN_COLUMNS}, ${PROJECT_COLUMNS}`;
  const [row] = await sql.query<Record<string, unknown>>(`SELECT ${columns} FROM runs r, projects p WHERE ${where}`, params, "resume_run_read");
  if (!row) return null;
  const patch = resumeConfigPatch(input);
  if (!patch || !deepMergeChanges(row.config, input.config)) return runFromRow(row);
  const [updated] = await sql.query<Record<string, unknown>>(
    `UPDATE runs r SET config = jsonb_deep_merge(r.config, $5::jsonb), updated_at = now()
     FROM projects p WHERE ${where} RETURNING ${columns}`,
    [...params, patch],
    "resume_run_merge",
  );
  return updated ? runFromRow(updated) : null;
}

/**
 * The run createFast wrote, from what it inserted: only what the database chose comes back
 * (id, project, number, prefix). Reading the whole row back costs the hot path a tenth of
 * its time in pg's row parsing. JSON fields are the caller's objects, equal as JSON to the
 * stored jsonb (jsonb may order keys differently). test/create-run-fast.test.ts compares
 * this run with the row read back, field by field.
 */
function createdRun(
  organizationId: number,
  input: CreateRunInput,
  tags: string[],
  d: ReturnType<typeof newRunDerived>,
  row: { id: number; project_id: number; number: number; run_prefix: string },
): RunInHand {
  return withoutParent({
    id: row.id,
    organizationId,
    projectId: row.project_id,
    number: row.number,
    externalId: input.externalId ?? null,
    name: input.name,
    notes: input.notes ?? null,
    tags,
    runGroup: d.runGroup,
    config: (input.config ?? null) as Run["config"],
    systemMetadata: (input.systemMetadata ?? null) as Run["systemMetadata"],
    loggerSettings: (input.loggerSettings ?? null) as Run["loggerSettings"],
    inputData: (input.inputData ?? null) as Run["inputData"],
    result: (input.result ?? null) as Run["result"],
    runtimeConfig: (input.runtimeConfig ?? null) as Run["runtimeConfig"],
    pipelineSpec: (input.pipelineSpec ?? null) as Run["pipelineSpec"],
    pipelineId: input.pipelineId ?? null,
    pipelineVersionId: input.pipelineVersionId ?? null,
    serviceAccount: input.serviceAccount ?? null,
    state: d.state,
    error: null,
    storageState: "AVAILABLE",
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    scheduledAt: d.scheduledAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    stateUpdatedAt: d.createdAt,
    heartbeatAt: null,
    lastLoggedAt: null,
    forkedFromId: null,
    forkStep: null,
    forkDepth: 0,
    ancestorIds: [],
    maxStep: null,
    project: { name: input.projectName, runPrefix: row.run_prefix },
  });
}

/**
 * Creates a run that is not a fork: project found or created, next number taken (the
 * project row lock serializes numbering), run and first state event written, all in one
 * statement. Null when the organization has a run limit, or when a concurrent create took
 * the externalId first (the statement then wrote nothing).
 */
export async function createFast(sql: Sql, organizationId: number, input: CreateRunInput): Promise<RunInHand | null> {
  const tags = dedupe(input.tags ?? []);
  const d = newRunDerived(input, tags);
  try {
    const rows = await sql.query<Record<string, unknown>>(
      `WITH p AS (
         INSERT INTO projects (organization_id, name, run_prefix, next_run_number, updated_at)
         SELECT o.id, $2, $3, 2, now() FROM organizations o WHERE o.id = $1 AND o.run_limit IS NULL
         ON CONFLICT (organization_id, name) DO UPDATE SET next_run_number = projects.next_run_number + 1, updated_at = now()
         RETURNING id, name, run_prefix, next_run_number - 1 AS number
       ), r AS (
         INSERT INTO runs (organization_id, project_id, number, external_id, name, notes, tags, run_group, config,
           system_metadata, logger_settings, input_data, result, runtime_config, pipeline_spec, pipeline_id,
           pipeline_version_id, service_account, state, created_at, updated_at, scheduled_at, state_updated_at,
           started_at, finished_at)
         SELECT $1, p.id, p.number, $4, $5, $6, $7::text[], $8, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, $13::jsonb,
           $14::jsonb, $15::jsonb, $16, $17, $18, $19::"RunState", $20, $21, $22, $20, $23, $24 -- state_updated_at = created_at
         FROM p
         RETURNING *
       ), e AS (
         INSERT INTO run_state_events (run_id, from_state, to_state, source, at)
         SELECT id, NULL, state, 'API', created_at FROM r
       )
       SELECT r.id, r.project_id, r.number, p.run_prefix FROM r, p`,
      [
        organizationId,
        input.projectName,
        runPrefix(input.projectName),
        input.externalId ?? null,
        input.name,
        input.notes ?? null,
        tags,
        d.runGroup,
        jsonParam(input.config),
        jsonParam(input.systemMetadata),
        jsonParam(input.loggerSettings),
        jsonParam(input.inputData),
        jsonParam(input.result),
        jsonParam(input.runtimeConfig),
        jsonParam(input.pipelineSpec),
        input.pipelineId ?? null,
        input.pipelineVersionId ?? null,
        input.serviceAccount ?? null,
        d.state,
        d.createdAt,
        d.updatedAt,
        d.scheduledAt,
        d.startedAt,
        d.finishedAt,
      ],
      "create_run_fast",
    );
    const row = rows[0];
    return row ? createdRun(organizationId, input, tags, d, row as { id: number; project_id: number; number: number; run_prefix: string }) : null;
  } catch (e) {
    if (sqlErrorCode(e) === "23505") return null; // the externalId was taken meanwhile
    throw e;
  }
}
