import type { RunStateEvent } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import type { IdPage } from "./id-page.js";

// A page of state history for each of several runs, in one statement: the frontend's run
// list shows the last few events of every run. Plain SQL, not Prisma's nested load: inside
// Prisma's joined query every event becomes a JSONB object aggregated per run, which cost
// PostgreSQL 2.8 ms for 50 runs of the nested page against 0.45 ms for plain rows
// (bench/README.md).
//
// Each run's page comes back as one text value, its events' id, states and time joined by
// separators, rather than as a row per event: node-postgres spends its time per field (a
// string sliced from the packet, a parser called), and the frontend's 300 events made 3,000
// of them. One value per run took a third of the gateway's CPU for the statement, and less
// of PostgreSQL's too (bench/README.md). Only enum names and numbers go in it; the free-form
// columns (source, error, metadata) come as one JSON array per run, and only when the
// selection reads them.

/** Where a page starts and which way it reads, as Prisma's cursor pagination has it. */
export interface StateEventPage extends IdPage {
  /** Also count every event of the run. */
  withCount: boolean;
  /** Also read each event's source, error and metadata; else they are left empty. */
  withDetails: boolean;
}

export interface StateEventsOfRun {
  /** Oldest first, whichever way the page read. */
  events: RunStateEvent[];
  /** Every event of the run; null unless the page asked for the count. */
  total: number | null;
}

const text = (order: "ASC" | "DESC", compare: ">" | "<") => `
  WITH counts AS MATERIALIZED (
    SELECT run_id, count(*)::int AS total FROM run_state_events
    WHERE $5::boolean AND run_id = ANY($1::int[]) GROUP BY run_id)
  SELECT r.id AS target, c.total, p.events, p.details
  FROM runs r
  LEFT JOIN counts c ON c.run_id = r.id
  CROSS JOIN LATERAL (
    SELECT string_agg(concat_ws(',', e.id, coalesce(e.from_state::text, ''), e.to_state,
                                floor(extract(epoch FROM e.at) * 1000)::bigint), ';' ORDER BY e.id) AS events,
           (json_agg(json_build_array(e.source, e.error, e.metadata) ORDER BY e.id) FILTER (WHERE $6::boolean))::text AS details
    FROM (SELECT * FROM run_state_events e WHERE e.run_id = r.id AND e.id ${compare} $3::bigint ORDER BY e.id ${order} LIMIT $4) e
  ) p
  WHERE r.id = ANY($1::int[]) AND r.organization_id = $2`;

// Fixed texts, so each is a prepared statement on PostgreSQL.
const FORWARD = text("ASC", ">");
const BACKWARD = text("DESC", "<");
/** The largest int8: event ids, and the cursors that name them, lie within ±INT8_MAX. */
export const INT8_MAX = 2n ** 63n - 1n;
// The bounds of an int8 id: a page from the start or the end has nothing to pass.
export const BEFORE_ALL = -INT8_MAX - 1n;
export const AFTER_ALL = INT8_MAX;

type Row = {
  target: number;
  total: number | null;
  /** `id,fromState,toState,at;…`, oldest first; `at` in epoch milliseconds. Null without events. */
  events: string | null;
  /** `[[source, error, metadata], …]` in the same order, when the page asked for them. */
  details: string | null;
};

type Details = [string, RunStateEvent["error"], RunStateEvent["metadata"]];

/** The same page of each run of the organization; runs of another organization are absent. */
export async function stateEventPages(sql: Sql, organizationId: number, runIds: readonly number[], page: StateEventPage): Promise<Map<number, StateEventsOfRun>> {
  const cursor = page.cursor ?? (page.forward ? BEFORE_ALL : AFTER_ALL);
  const rows = await sql.query<Row>(
    page.forward ? FORWARD : BACKWARD,
    [[...runIds], organizationId, cursor.toString(), page.limit, page.withCount, page.withDetails],
    page.forward ? "state_events_forward" : "state_events_backward",
  );
  const byRun = new Map<number, StateEventsOfRun>();
  for (const r of rows) {
    const details: Details[] | null = r.details === null ? null : JSON.parse(r.details);
    const events: RunStateEvent[] = r.events === null ? [] : r.events.split(";").map((item, i) => {
      const [id, from, to, at] = item.split(",") as [string, string, string, string];
      const [source, error, metadata] = details?.[i] ?? ["", null, null];
      return {
        id: BigInt(id),
        runId: r.target,
        fromState: from === "" ? null : (from as RunStateEvent["toState"]),
        toState: to as RunStateEvent["toState"],
        source,
        error,
        metadata,
        at: new Date(Number(at)),
      };
    });
    byRun.set(r.target, { events, total: page.withCount ? (r.total ?? 0) : null });
  }
  return byRun;
}
