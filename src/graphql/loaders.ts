import DataLoader from "dataloader";
import type { Sql } from "../db/sql.js";
import { loadChains, type LineageNode } from "../domain/lineage.js";
import type { IdPage } from "../domain/id-page.js";
import { forkPages, runRelatives, type RunListRow, type RunRelatives } from "../domain/run-relatives.js";
import { runCounts } from "../domain/projects.js";
import { runListPages, type RunListOfProject, type RunListRequest } from "../domain/run-list.js";
import { stateEventPages, type StateEventPage, type StateEventsOfRun } from "../domain/state-history.js";
import { metricBuckets, metricSummariesOfRuns, type BucketsRequest, type MetricBucket, type MetricSummary } from "../domain/metric-history.js";

// Per-request batching of what a run list reads outside Prisma's query: metric summaries,
// buckets and chains, which Prisma cannot express, and state history pages, which it can but
// at several times the database's cost (as JSONB). Each is one statement for the whole list.

export interface Loaders {
  /** A run's fork chain, root first ([] when not the organization's): every metric read of a run starts from it. */
  chain: DataLoader<number, LineageNode[]>;
  /** All metric summaries of a run. */
  summaries: DataLoader<number, MetricSummary[]>;
  /** One metric's summary of a run, keyed by [runId, name]. */
  summary: DataLoader<readonly [number, string], MetricSummary | null, string>;
  /** Buckets of a run's metric: every buckets field of a request (a list's sparklines) in one statement. */
  buckets: DataLoader<BucketsRequest, MetricBucket[], string>;
  /** A page of a run's state history: every run of a list that asks the same page, in one statement. */
  stateEvents: DataLoader<PageRequest<StateEventPage>, StateEventsOfRun, string>;
  /** A run's parent and fork count: every forkedFrom and forks count of a list in one statement. */
  relatives: DataLoader<number, RunRelatives | null>;
  /** A page of a run's forks: every run of a list that asks the same page, in one statement. */
  forks: DataLoader<PageRequest<IdPage>, RunListRow[], string>;
  /** A project's run count, of the organization: every project of a request in one statement. */
  runCounts: DataLoader<number, number>;
  /** A page of a project's runs: every project of a list that asks the same page, in one statement. */
  runLists: DataLoader<RunListOfProjectRequest, RunListOfProject, string>;
}

export interface RunListOfProjectRequest {
  projectId: number;
  list: RunListRequest;
}

/** Requests with the same key are one list, whatever the project. */
const listKey = (r: RunListRequest) =>
  JSON.stringify([
    r.filter ?? null,
    r.orders ?? null,
    r.page.forward,
    String(r.page.cursor),
    r.page.limit,
    r.parts.rows,
    r.parts.count,
    r.parts.relatives,
    r.parts.stateHistory && pageKey(r.parts.stateHistory),
    r.parts.summaries,
  ]);

/** The same page of several runs' lists is one statement. */
export interface PageRequest<P extends IdPage> {
  runId: number;
  page: P;
}

const pageKey = (p: IdPage & { withCount?: boolean; withDetails?: boolean }) => `${p.forward}:${p.cursor}:${p.limit}:${p.withCount}:${p.withDetails}`;

/**
 * A loader whose requests each name an owner (a run, a project) and what to read of it:
 * the requests of a batch that ask the same are one read, for all their owners.
 */
function groupedLoader<R, S, V>(
  ownerOf: (request: R) => number,
  specOf: (request: R) => S,
  keyOf: (spec: S) => string,
  read: (owners: number[], spec: S) => Promise<Map<number, V>>,
  missing: (spec: S) => V,
) {
  return new DataLoader<R, V, string>(
    async (requests) => {
      const groups = new Map<string, { spec: S; owners: number[] }>();
      for (const r of requests) {
        const key = keyOf(specOf(r));
        if (!groups.has(key)) groups.set(key, { spec: specOf(r), owners: [] });
        groups.get(key)!.owners.push(ownerOf(r));
      }
      const done = new Map<string, Map<number, V>>();
      await Promise.all([...groups].map(async ([key, { spec, owners }]) => done.set(key, await read(owners, spec))));
      return requests.map((r) => done.get(keyOf(specOf(r)))!.get(ownerOf(r)) ?? missing(specOf(r)));
    },
    { cacheKeyFn: (r) => `${ownerOf(r)}:${keyOf(specOf(r))}` },
  );
}

/** A loader of pages: one read of each page for all the runs that ask it. */
const pageLoader = <P extends IdPage, V>(read: (runIds: number[], page: P) => Promise<Map<number, V>>, missing: (page: P) => V) =>
  groupedLoader<PageRequest<P>, P, V>((r) => r.runId, (r) => r.page, pageKey, read, missing);

export function createLoaders(sql: Sql, organizationId: number): Loaders {
  const chain = new DataLoader<number, LineageNode[]>(async (runIds) => {
    const chains = await loadChains(sql, organizationId, runIds);
    return runIds.map((id) => chains.get(id) ?? []);
  });
  return {
    chain,
    buckets: new DataLoader((requests) => metricBuckets(sql, organizationId, requests, (runId) => chain.load(runId)), {
      cacheKeyFn: (r) => JSON.stringify([r.runId, r.name, r.count, r.fromStep, r.toStep, r.ownOnly, r.known?.firstStep, r.known?.lastStep]),
    }),
    stateEvents: pageLoader(
      (runIds, page) => stateEventPages(sql, organizationId, runIds, page),
      (page) => ({ events: [], total: page.withCount ? 0 : null }),
    ),
    relatives: new DataLoader(async (runIds) => {
      const byRun = await runRelatives(sql, organizationId, runIds);
      return runIds.map((id) => byRun.get(id) ?? null);
    }),
    forks: pageLoader((runIds, page) => forkPages(sql, organizationId, runIds, page), () => []),
    runCounts: new DataLoader(async (projectIds) => {
      const counts = await runCounts(sql, organizationId, projectIds);
      return projectIds.map((id) => counts.get(id) ?? 0);
    }),
    runLists: groupedLoader<RunListOfProjectRequest, RunListRequest, RunListOfProject>(
      (r) => r.projectId,
      (r) => r.list,
      listKey,
      (projectIds, list) => runListPages(sql, organizationId, projectIds, list),
      (list) => ({ runs: [], total: list.parts.count ? 0 : null }),
    ),
    summaries: new DataLoader(async (runIds) => {
      const byRun = await metricSummariesOfRuns(sql, organizationId, runIds);
      return runIds.map((id) => byRun.get(id) ?? []);
    }),
    summary: new DataLoader(
      async (keys) => {
        const runIds = [...new Set(keys.map(([id]) => id))];
        const names = [...new Set(keys.map(([, name]) => name))];
        const byRun = await metricSummariesOfRuns(sql, organizationId, runIds, { names });
        return keys.map(([id, name]) => byRun.get(id)?.find((s) => s.name === name) ?? null);
      },
      { cacheKeyFn: ([id, name]) => `${id}\u0000${name}` },
    ),
  };
}
