import type { Sql } from "../db/sql.js";
import type { LogType } from "../generated/prisma/client.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { RUN_NOT_FOUND } from "./run-lifecycle.js";
import { textProblem } from "./validate.js";

// The names a run logs under, with what they hold (Pluto's logName/add). Registering a
// name again changes nothing; its group is the part before the last "/".

export const LOG_TYPES = ["METRIC", "IMAGE", "VIDEO", "AUDIO", "FILE", "TEXT", "ARTIFACT", "HISTOGRAM", "TABLE", "DATA"] as const satisfies readonly LogType[];
export const MAX_LOG_NAMES_PER_CALL = 1000;

export const logGroupOf = (name: string): string | null => (name.lastIndexOf("/") > 0 ? name.slice(0, name.lastIndexOf("/")) : null);

/** Adds the names the run does not have yet; answers how many were new. */
export async function addLogNames(sql: Sql, organizationId: number, runId: number, names: readonly string[], logType: LogType): Promise<number> {
  if (names.length > MAX_LOG_NAMES_PER_CALL) throw ValidationError.field(["logName"], `At most ${MAX_LOG_NAMES_PER_CALL} names per call.`);
  for (const [i, n] of names.entries()) {
    const problem = textProblem("logName", n, { required: true, max: LIMITS.metricNameLength });
    if (problem) throw ValidationError.field(["logName", String(i)], problem);
  }
  const unique = [...new Set(names)];
  const rows = await sql.query<{ run: number | null; added: number }>(
    `WITH run AS (SELECT id FROM runs WHERE id = $1 AND organization_id = $2),
     ins AS (
       INSERT INTO run_log_names (run_id, name, log_type, log_group)
       SELECT run.id, n, $4::"LogType", g FROM run, unnest($3::text[], $5::text[]) AS u(n, g)
       ON CONFLICT (run_id, name) DO NOTHING RETURNING 1
     )
     SELECT (SELECT id FROM run) AS run, (SELECT count(*) FROM ins)::int AS added`,
    [runId, organizationId, unique, logType, unique.map(logGroupOf)],
  );
  if (rows[0]?.run == null) throw new NotFoundError(RUN_NOT_FOUND, "Run");
  return rows[0].added;
}
