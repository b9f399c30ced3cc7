// What a PostGraphile user would add to serve the gateway's `Run.metrics`: a computed column
// (a STABLE function named after the table, taking its row) giving one summary per metric
// over the run's effective history, which for a fork is its ancestors' points up to each fork
// step followed by its own. Without it PostGraphile can only return a run's own summaries
// (`metricsByRunId`), which for a fork is a different answer. Its body is the gateway's own
// statement (effectiveSummariesStatement) for the one run, so the two servers compute the
// summaries the same way; bench/index.ts checks that both give the same page.
import { Prisma } from "../../src/generated/prisma/client.js";
import { effectiveSummariesStatement } from "../../src/domain/metric-history.js";

/** A value of the statement as SQL text: a function's body takes no bind parameters. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
  throw new Error(`no SQL literal for ${JSON.stringify(v)}`);
}

/** The statements that (re)create `runs_effective_metrics(runs)`. */
export function effectiveMetricsColumn(): string {
  // Qualified by the function's name: the statement has a `self` of its own.
  const run = "(runs_effective_metrics.the_run)";
  const statement = effectiveSummariesStatement(Prisma.raw(`ARRAY[${run}.id]`), Prisma.raw(`${run}.organization_id`));
  const body = statement.text.replace(/\$(\d+)/g, (_, n: string) => literal(statement.values[Number(n) - 1]));
  return `
    DROP FUNCTION IF EXISTS runs_effective_metrics(runs);
    CREATE FUNCTION runs_effective_metrics(the_run runs)
    RETURNS TABLE (name text, count integer, min double precision, max double precision, last_value double precision)
    LANGUAGE sql STABLE AS $fn$
      SELECT s.name, s.n::int, s.mn::float8, s.mx::float8, s.lv::float8 FROM (${body}) s ORDER BY s.name
    $fn$;`;
}
