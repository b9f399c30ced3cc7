import type { RunStateEvent } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import { cursorOf, type IdPage } from "./id-page.js";

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

/**
 * A LATERAL subquery giving run `run`'s page as `events` and `details` (see Row), with SQL
 * expressions for the page's cursor, limit and whether to read the details. Also read with
 * a run list (run-list.ts).
 */
export function eventsOfRun(run: string, forward: boolean, cursor: string, limit: string, withDetails: string): string {
  return `(
    SELECT string_agg(concat_ws(',', e.id, coalesce(e.from_state::text, ''), e.to_state,
                                floor(extract(epoch FROM e.at) * 1000)::bigint), ';' ORDER BY e.id) AS events,
           (json_agg(json_build_array(e.source, e.error, e.metadata) ORDER BY e.id) FILTER (WHERE ${withDetails}))::text AS details
    FROM (SELECT * FROM run_state_events e WHERE e.run_id = ${run} AND e.id ${forward ? ">" : "<"} ${cursor} ORDER BY e.id ${forward ? "ASC" : "DESC"} LIMIT ${limit}) e
  )`;
}

const text = (forward: boolean) => `
  WITH counts AS MATERIALIZED (
    SELECT run_id, count(*)::int AS total FROM run_state_events
    WHERE $5::boolean AND run_id = ANY($1::int[]) GROUP BY run_id)
  SELECT r.id AS target, c.total, p.events, p.details
  FROM runs r
  LEFT JOIN counts c ON c.run_id = r.id
  CROSS JOIN LATERAL ${eventsOfRun("r.id", forward, "$3::bigint", "$4", "$6::boolean")} p
  WHERE r.id = ANY($1::int[]) AND r.organization_id = $2`;

// Fixed texts, so each is a prepared statement on PostgreSQL.
const FORWARD = text(true);
const BACKWARD = text(false);

/** A run's page as eventsOfRun reads it. */
export type EventsColumns = {
  /** `id,fromState,toState,at;…`, oldest first; `at` in epoch milliseconds. Null without events. */
  events: string | null;
  /** `[[source, error, metadata], …]` in the same order, when the page asked for them. */
  details: string | null;
};

type Row = EventsColumns & { target: number; total: number | null };

type Details = [string, RunStateEvent["error"], RunStateEvent["metadata"]];

/** Run `runId`'s events from eventsOfRun's columns, oldest first. */
export function eventsFrom(runId: number, columns: EventsColumns): RunStateEvent[] {
  if (columns.events === null) return [];
  const details: Details[] | null = columns.details === null ? null : JSON.parse(columns.details);
  return columns.events.split(";").map((item, i) => {
    const [id, from, to, at] = item.split(",") as [string, string, string, string];
    const [source, error, metadata] = details?.[i] ?? ["", null, null];
    return {
      id: BigInt(id),
      runId,
      fromState: from === "" ? null : (from as RunStateEvent["toState"]),
      toState: to as RunStateEvent["toState"],
      source,
      error,
      metadata,
      at: new Date(Number(at)),
    };
  });
}

/** The same page of each run of the organization; runs of another organization are absent. */
export async function stateEventPages(sql: Sql, organizationId: number, runIds: readonly number[], page: StateEventPage): Promise<Map<number, StateEventsOfRun>> {
  const rows = await sql.query<Row>(
    page.forward ? FORWARD : BACKWARD,
    [[...runIds], organizationId, cursorOf(page), page.limit, page.withCount, page.withDetails],
    page.forward ? "state_events_forward" : "state_events_backward",
  );
  return new Map(rows.map((r) => [r.target, { events: eventsFrom(r.target, r), total: page.withCount ? (r.total ?? 0) : null }]));
}
