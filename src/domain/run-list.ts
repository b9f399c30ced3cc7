import { Prisma } from "../generated/prisma/client.js";
import type { Sql } from "../db/sql.js";
import { cursorOf, type IdPage } from "./id-page.js";
import { effectiveSummariesStatement, SUMMARIES_AS_JSON, summariesFrom, type MetricSummary } from "./metric-history.js";
import { eventsFrom, eventsOfRun, type EventsColumns, type StateEventPage, type StateEventsOfRun } from "./state-history.js";
import { likeEscaped, runOrderTerms, type RunFilter, type RunOrder, type RunOrderTerm } from "./run-query.js";
import { projectColumns, projectRowOf, type ProjectRow } from "./projects.js";
import { holdRelatives, LIST_COLUMNS, listColumns, listRow, type ListRowColumns, type RunListRow } from "./run-relatives.js";

// A page of runs of each of several projects, in one plain statement: the frontend's run
// list. Through Pothos's Prisma connection the page came with the project's statement and
// the lineage took one more; Prisma's share of that cost the gateway more CPU than the rest
// of the list (the nested page: 5.4 CPU ms in process before, 3.9 after; bench/README.md).
// Same rows, order and pages as Prisma's cursor pagination over runWhere and runOrderBy
// (test/run-list.test.ts compares the two on random lists), with one difference: a page
// starts strictly after (or before) its cursor's run, also when that run no longer matches
// the filter, where Prisma skips the first row it finds.
//
// What the list's runs show besides their columns is read by the same statement when it can
// be: their lineage, their page of state history and their metric summaries, each run's as
// one value. And when Query.project shows the list, the project itself is found by name in
// the same statement (projectWithRuns). The frontend's page then takes one statement, not
// four: each statement more cost PostgreSQL and the gateway a wake-up, a round trip and a
// batch of their own, and under load that came to more than the extra statements' queries
// did (bench/README.md).

/** What to read besides the page's runs. */
export interface RunListParts {
  /** The page's runs (a connection's edges, nodes or page info). */
  rows: boolean;
  /** Every run of the project matching the filter. */
  count: boolean;
  /** Each run's parent and fork count (forkedFrom, forks.totalCount), held with its row (relativesInHand). */
  relatives: boolean;
  /** The page of each run's state history that the list shows, or null. */
  stateHistory: StateEventPage | null;
  /** Each run's metric summaries. */
  summaries: boolean;
}

export interface RunListRequest {
  filter: RunFilter | null | undefined;
  orders: readonly RunOrder[] | null | undefined;
  page: IdPage;
  parts: RunListParts;
}

export interface RunListOfProject {
  /** In list order, whichever way the page read. */
  runs: RunListRow[];
  /** Null unless the count was asked for. */
  total: number | null;
  /** By run, when the parts asked for them. */
  stateHistory?: Map<number, StateEventsOfRun>;
  summaries?: Map<number, MetricSummary[]>;
}

/** What is read of each run besides its columns: nothing unless the runs themselves are. */
const readWithRuns = (parts: RunListParts) => ({ history: parts.rows ? parts.stateHistory : null, summaries: parts.rows && parts.summaries });

/** Raw SQL for the organization's id inside a Prisma.sql embedded by Params.embed, which renumbers every `$n`. */
const ORGANIZATION = "/*organization*/";

/** A statement's text and values, the values numbered from `$3` ($1 and $2 are the projects and the organization). */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length + 2}::${cast}`;
  }
  /** A statement's text made with Prisma.sql, its values numbered among these; ORGANIZATION in it stands for $2. */
  embed(sql: Prisma.Sql): string {
    const offset = this.values.length + 2;
    this.values.push(...sql.values);
    return sql.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`).replaceAll(ORGANIZATION, "$2");
  }
}

/** runWhere's conditions, on `r`, in SQL. */
function conditions(filter: RunFilter | null | undefined, params: Params): string[] {
  const f = filter ?? {};
  const out = ["r.organization_id = $2"];
  if (f.states?.length) out.push(`r.state = ANY(${params.add(f.states, '"RunState"[]')})`);
  if (f.tagsAny?.length) out.push(`r.tags && ${params.add(f.tagsAny, "text[]")}`);
  if (f.runGroup != null) out.push(`r.run_group = ${params.add(f.runGroup, "text")}`);
  if (f.nameContains) out.push(`r.name ILIKE '%' || ${params.add(likeEscaped(f.nameContains), "text")} || '%'`);
  if (f.createdAfter) out.push(`r.created_at >= ${params.add(f.createdAfter.toISOString(), "timestamptz")}`);
  if (f.createdBefore) out.push(`r.created_at < ${params.add(f.createdBefore.toISOString(), "timestamptz")}`);
  if (!f.includeArchived) out.push(`r.storage_state = '${f.archived ? "ARCHIVED" : "AVAILABLE"}'`);
  if (f.forkedFromRunId != null) out.push(`r.forked_from_id = ${params.add(f.forkedFromRunId, "int")}`);
  if (f.externalId != null) out.push(`r.external_id = ${params.add(f.externalId, "text")}`);
  return out;
}

/** The terms as read: reading back reverses each direction and puts nulls first. */
const asRead = (terms: RunOrderTerm[], forward: boolean) =>
  terms.map((t) => ({ column: t.sqlColumn, descending: (t.direction === "desc") === forward, nullsFirst: t.nullable && !forward, nullable: t.nullable }));
type ReadTerm = ReturnType<typeof asRead>[number];

const orderBy = (terms: ReadTerm[], on: string) =>
  terms.map((t) => `${on}.${t.column} ${t.descending ? "DESC" : "ASC"}${t.nullable ? (t.nullsFirst ? " NULLS FIRST" : " NULLS LAST") : ""}`).join(", ");

/** Whether run `r` comes after the cursor's run `k` in the order read. */
function after(terms: ReadTerm[]): string {
  // Non-null columns read one way: one row comparison, which the (project, created_at, id) index serves.
  if (terms.every((t) => !t.nullable && t.descending === terms[0]!.descending)) {
    const columns = (on: string) => terms.map((t) => `${on}.${t.column}`).join(", ");
    return `(${columns("r")}) ${terms[0]!.descending ? "<" : ">"} (${columns("k")})`;
  }
  const beyond = (t: ReadTerm) => {
    const [r, k, cmp] = [`r.${t.column}`, `k.${t.column}`, t.descending ? "<" : ">"];
    if (!t.nullable) return `${r} ${cmp} ${k}`;
    return t.nullsFirst
      ? `(CASE WHEN ${r} IS NULL THEN false WHEN ${k} IS NULL THEN true ELSE ${r} ${cmp} ${k} END)`
      : `(CASE WHEN ${k} IS NULL THEN false WHEN ${r} IS NULL THEN true ELSE ${r} ${cmp} ${k} END)`;
  };
  const equal = (t: ReadTerm) => (t.nullable ? `r.${t.column} IS NOT DISTINCT FROM k.${t.column}` : `r.${t.column} = k.${t.column}`);
  return `(${terms.map((t, i) => [...terms.slice(0, i).map(equal), beyond(t)].join(" AND ")).join(" OR ")})`;
}

interface Statement {
  text: string;
  values: unknown[];
  /** Set for the lists a page shows by default, whose texts are few: a prepared statement. */
  name?: string;
}

/**
 * Which projects a list statement reads: by id (`$1` an int[]: the same page of each), or
 * the organization's one of a name (`$1` a text), then with the project's own columns
 * (PROJECT_PREFIX) on the first row in list order, its run count if asked.
 */
export type ListedProjects = { byName: false } | { byName: true; runCount: boolean };
const BY_ID: ListedProjects = { byName: false };
const PROJECT_PREFIX = "project_";

export function runListStatement(request: RunListRequest, projects: ListedProjects = BY_ID): Statement {
  const { filter, orders, page, parts } = request;
  const params = new Params();
  const where = conditions(filter, params).join(" AND ");
  const valuesOfFilter = params.values.length;
  const terms = asRead(runOrderTerms(orders), page.forward);
  const columns = [...new Set([...LIST_COLUMNS, ...terms.map((t) => t.column)])];
  // Parameters of the page, numbered only when the statement reads the page.
  const cursor = !parts.rows || page.cursor == null ? "" : `, (SELECT ${columns.join(", ")} FROM runs WHERE id = ${params.add(page.cursor.toString(), "int8")} AND organization_id = $2) k`;
  const limit = parts.rows ? params.add(page.limit, "int") : "";
  const runs = parts.rows
    ? `, ${listColumns("r")}${parts.relatives ? `, ${listColumns("par", "parent_")}, (SELECT count(*)::int FROM runs x WHERE x.forked_from_id = r.id AND x.organization_id = $2) AS fork_count` : ""}`
    : "";
  // The page of state history each run shows, in the same statement (state-history.ts).
  const { history, summaries } = readWithRuns(parts);
  const events = history
    ? `, se.events, se.details${history.withCount ? ", (SELECT count(*)::int FROM run_state_events x WHERE x.run_id = r.id) AS events_total" : ""}`
    : "";
  const eventsJoin = history
    ? `
    LEFT JOIN LATERAL ${eventsOfRun("r.id", history.forward, params.add(cursorOf(history), "int8"), params.add(history.limit, "int"), String(history.withDetails))} se ON true`
    : "";
  const order = `p.id${parts.rows ? `, ${orderBy(terms, "r")}` : ""}`;
  const position = `row_number() OVER (ORDER BY ${order})`;
  const list = `
    SELECT p.id AS target${projects.byName ? `, ${projectColumns(PROJECT_PREFIX, "$2", projects.runCount, `${position} = 1`)}` : ""}${parts.count ? ", c.total" : ""}${runs}${events}${summaries ? `, ${position} AS ord` : ""}
    FROM projects p${parts.count ? `
    CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM runs r WHERE r.project_id = p.id AND ${where}) c` : ""}${
      parts.rows
        ? `
    LEFT JOIN LATERAL (
      SELECT ${columns.map((c) => `r.${c}`).join(", ")} FROM runs r${cursor}
      WHERE r.project_id = p.id AND ${where}${cursor ? ` AND ${after(terms)}` : ""}
      ORDER BY ${orderBy(terms, "r")} LIMIT ${limit}
    ) r ON true`
        : ""
    }${parts.rows && parts.relatives ? `
    LEFT JOIN runs par ON par.id = r.forked_from_id AND par.organization_id = $2` : ""}${eventsJoin}
    WHERE ${projects.byName ? "p.name = $1::text" : "p.id = ANY($1::int[])"} AND p.organization_id = $2`;
  // The runs' metric summaries, computed for the whole page at once (metric-history.ts)
  // and joined to each run as one value.
  const text = summaries
    ? `
    WITH list AS MATERIALIZED (${list}),
    summaries AS MATERIALIZED (${params.embed(effectiveSummariesStatement(Prisma.raw("ARRAY(SELECT id FROM list WHERE id IS NOT NULL)"), Prisma.raw(ORGANIZATION)))})
    SELECT list.*, sm.summaries FROM list
    LEFT JOIN (SELECT s.target, ${SUMMARIES_AS_JSON} AS summaries FROM summaries s GROUP BY s.target) sm ON sm.target = list.id
    ORDER BY list.ord`
    : `${list}
    ORDER BY ${order}`;
  // Prepared only when the filter holds no value of the client's (at most the archived
  // condition) and at most one order: a bounded set of texts, where naming every text a
  // client can make would grow each connection's statements without end.
  const prepared = valuesOfFilter === 0 && (orders?.length ?? 0) <= 1;
  return { text, values: params.values, name: prepared ? `run_list_${hash(text)}` : undefined };
}

/** A short name for a statement's text (FNV-1a). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

type Row = { target: number; total?: number; fork_count?: number; events_total?: number; summaries?: string | null } & EventsColumns & ListRowColumns & { [K in keyof ListRowColumns as `parent_${K}`]: ListRowColumns[K] | null };

/** The same page of each project of the organization; projects of another are absent. */
export async function runListPages(sql: Sql, organizationId: number, projectIds: readonly number[], request: RunListRequest): Promise<Map<number, RunListOfProject>> {
  const statement = runListStatement(request);
  return listsOf(await sql.query<Row>(statement.text, [[...projectIds], organizationId, ...statement.values], statement.name), request);
}

/**
 * The organization's project of that name, or null, and its page of runs, in one statement:
 * the frontend's page, when the project shows its run list (schema/project.ts).
 */
export async function projectWithRuns(
  sql: Sql,
  organizationId: number,
  name: string,
  withRunCount: boolean,
  request: RunListRequest,
): Promise<{ project: ProjectRow; list: RunListOfProject } | null> {
  const statement = runListStatement(request, { byName: true, runCount: withRunCount });
  const rows = await sql.query<Row>(statement.text, [name, organizationId, ...statement.values], statement.name);
  if (rows.length === 0) return null;
  const project = projectRowOf(rows[0]!, PROJECT_PREFIX);
  return { project, list: listsOf(rows, request).get(project.id)! };
}

/** The statement's rows as each project's list. */
function listsOf(rows: Row[], request: RunListRequest): Map<number, RunListOfProject> {
  const { parts } = request;
  const { history, summaries } = readWithRuns(parts);
  const byProject = new Map<number, RunListOfProject>();
  for (const r of rows) {
    let list = byProject.get(r.target);
    if (!list) {
      list = { runs: [], total: parts.count ? (r.total ?? 0) : null };
      if (history) list.stateHistory = new Map();
      if (summaries) list.summaries = new Map();
      byProject.set(r.target, list);
    }
    // A project with no run in the page still has its row (the LEFT JOIN), with no run.
    if (!parts.rows || r.id == null) continue;
    const run = listRow(r);
    list.runs.push(run);
    if (parts.relatives) holdRelatives(run, { parent: r.parent_id == null ? null : listRow(parentColumns(r)), forkCount: r.fork_count ?? 0 });
    if (history) list.stateHistory!.set(run.id, { events: eventsFrom(run.id, r), total: history.withCount ? (r.events_total ?? 0) : null });
    if (summaries) list.summaries!.set(run.id, summariesFrom(r.summaries ?? null));
  }
  if (!request.page.forward) for (const list of byProject.values()) list.runs.reverse();
  return byProject;
}

const parentColumns = (r: Row) => Object.fromEntries(LIST_COLUMNS.map((c) => [c, r[`parent_${c}`]])) as ListRowColumns;
