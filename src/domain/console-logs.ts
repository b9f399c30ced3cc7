import type { Sql } from "../db/sql.js";
import type { ConsoleStream } from "../generated/prisma/client.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { RUN_NOT_FOUND } from "./run-lifecycle.js";
import { containsUnstorableText, NUL_MESSAGE } from "./validate.js";

// A run's console output, line by line (Pluto's /ingest/logs). A batch is written in one
// statement or not at all; a line already stored (same stream, time and line number: a
// retried body) is stored once.

export interface LogLineInput {
  stream: ConsoleStream;
  lineNumber: number;
  message: string;
  time: Date;
}

export const MAX_LOG_LINES_PER_CALL = 10_000;
export const MAX_LOG_LINE_LENGTH = 65_536;

export async function appendLogLines(sql: Sql, organizationId: number, runId: number, lines: readonly LogLineInput[]): Promise<number> {
  if (lines.length > MAX_LOG_LINES_PER_CALL) throw ValidationError.field(["lines"], `At most ${MAX_LOG_LINES_PER_CALL} lines per call.`);
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.lineNumber) || l.lineNumber < 0 || l.lineNumber > 2_147_483_647) throw ValidationError.field(["lines", String(i), "lineNumber"], "lineNumber must be an integer ≥ 0.");
    if (l.message.length > MAX_LOG_LINE_LENGTH) throw ValidationError.field(["lines", String(i), "message"], `message must be at most ${MAX_LOG_LINE_LENGTH} characters.`);
    if (containsUnstorableText(l.message)) throw ValidationError.field(["lines", String(i), "message"], `message ${NUL_MESSAGE}.`);
    if (Number.isNaN(l.time.getTime())) throw ValidationError.field(["lines", String(i), "time"], "time is not a valid date.");
  });
  const rows = await sql.query<{ run: number | null; added: number }>(
    `WITH run AS (SELECT id FROM runs WHERE id = $1 AND organization_id = $2),
     ins AS (
       INSERT INTO run_log_lines (run_id, stream, line_number, message, time)
       SELECT run.id, s::"ConsoleStream", n, m, t FROM run, unnest($3::text[], $4::int[], $5::text[], $6::timestamptz[]) AS u(s, n, m, t)
       ON CONFLICT (run_id, stream, time, line_number) DO NOTHING RETURNING 1
     )
     SELECT (SELECT id FROM run) AS run, (SELECT count(*) FROM ins)::int AS added`,
    [runId, organizationId, lines.map((l) => l.stream), lines.map((l) => l.lineNumber), lines.map((l) => l.message), lines.map((l) => l.time.toISOString())],
  );
  if (rows[0]?.run == null) throw new NotFoundError(RUN_NOT_FOUND, "Run");
  return rows[0].added;
}
