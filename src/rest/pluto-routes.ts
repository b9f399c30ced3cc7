import type { z } from "zod";
import type { Sql } from "../db/sql.js";
import type { PrismaClient, Run } from "../generated/prisma/client.js";
import { addAlert } from "../domain/alerts.js";
import type { Caller } from "../domain/api-keys.js";
import { formatDisplayId } from "../domain/display-id.js";
import { AmbiguousError, DomainError, InvalidTransitionError, LimitExceededError, NotFoundError, ValidationError } from "../domain/errors.js";
import { isJsonObject } from "../domain/json-merge.js";
import { heartbeat } from "../domain/liveness.js";
import { addLogNames, logGroupOf } from "../domain/log-names.js";
import { sampledRunMetrics } from "../domain/metric-history.js";
import { RUN_NOT_FOUND, findRunOrThrow, mergeRunConfig, resumeRun, setNotes } from "../domain/run-lifecycle.js";
import { normalizeState } from "../domain/run-state.js";
import { runUrl } from "../domain/run-url.js";
import { GROUP_TAG_MESSAGE, groupTags } from "../domain/tags.js";
import { updateRun } from "../domain/update-run.js";
import { updateRunState } from "../domain/update-run-state.js";
import { describeIssues } from "./create-run-body.js";
import { AlertBody, ConfigBody, ListQuery, LogNameBody, MetricsQuery, NotesBody, ResumeBody, StatusUpdateBody, TagsBody, TriggerBody } from "./pluto-bodies.js";
import { badRequest, json } from "./responses.js";
import { runOrderBy, runWhere, type RunFilter, type RunOrderField } from "../domain/run-query.js";
import { runIdsByMetric } from "../domain/runs-by-metric.js";
import type { RunStateName } from "../domain/run-state.js";
import { FilterError, parseListFilter, restrictStates } from "./run-list-filter.js";
import type { TransitionResult } from "../domain/state-transition.js";
import type { RateLimiter } from "../domain/rate-limit.js";
import type { Context, Services } from "../graphql/context.js";
import { announceRunChanged } from "../graphql/publish.js";

// Pluto's lifecycle routes (pluto-wire.md §3): each validates its body, calls the domain
// module the GraphQL mutations use, and answers in Pluto's shapes.

export interface RouteServices extends Services {
  prisma: PrismaClient;
  sql: Sql;
  publicUrl: string;
  rateLimiter?: RateLimiter;
}

export interface RouteContext {
  request: Request;
  url: URL;
  caller: Caller;
  services: RouteServices;
  params: string[];
  /** The GraphQL context a client with this key gets: announcements go through it. */
  gql: Context;
}

/** Subscribers hear of a change made over REST as of one made over GraphQL. */
const changed = (c: RouteContext, t: TransitionResult | undefined, runId: number, source: string) =>
  t?.applied
    ? announceRunChanged(c.gql, t.run, { fromState: t.previousState, toState: t.run.state, source })
    : announceRunChanged(c.gql, t?.run ?? { id: runId, projectId: 0, stateUpdatedAt: null });

export type RouteHandler = (c: RouteContext) => Promise<Response>;

const ok = () => json(200, { success: true });

class Rejected extends Error {
  constructor(readonly response: Response) {
    super("rejected");
  }
}

async function bodyOf<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    throw new Rejected(badRequest("Malformed JSON in request body"));
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { error, issues } = describeIssues(parsed.error);
    throw new Rejected(badRequest(error, { issues }));
  }
  return parsed.data;
}

/** Domain errors as Pluto's statuses; `detail` for the py service's routes (FastAPI's shape). */
export function withErrors(handler: RouteHandler, key: "error" | "detail" = "error"): RouteHandler {
  return async (c) => {
    try {
      return await handler(c);
    } catch (e) {
      if (e instanceof Rejected) return e.response;
      if (!(e instanceof DomainError)) throw e;
      const status = e instanceof NotFoundError ? 404 : e instanceof AmbiguousError ? 409 : e instanceof ValidationError || e instanceof LimitExceededError ? 400 : 409;
      return json(status, { [key]: plutoMessage(e) });
    }
  };
}

/** Pluto says "Run not found" whatever the lookup; other messages are the domain's. */
export const plutoMessage = (e: DomainError) => (e instanceof NotFoundError && e.entity === "Run" ? RUN_NOT_FOUND : e.message);

function runAnswer(c: RouteContext, run: Run & { project: { name: string; runPrefix: string } }) {
  return {
    runId: run.id,
    number: run.number,
    displayId: formatDisplayId(run.project.runPrefix, run.number),
    projectName: run.project.name,
    organizationSlug: c.caller.organizationSlug,
    url: runUrl(c.services.publicUrl, c.caller.organizationSlug, run.project.name, run.id),
  };
}

const org = (c: RouteContext) => c.caller.organizationId;
const withProject = (prisma: PrismaClient, id: number) =>
  prisma.run.findUniqueOrThrow({ where: { id }, include: { project: { select: { name: true, runPrefix: true } } } });

export const slug: RouteHandler = async (c) =>
  json(200, { organization: { id: c.caller.organizationId, slug: c.caller.organizationSlug, name: c.caller.organizationName } });

export const resume: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, ResumeBody);
  if (b.externalId !== undefined && b.projectName === undefined) return badRequest("projectName is required with externalId");
  const t = await resumeRun(c.services.prisma, org(c), { runId: b.runId, displayId: b.displayId, externalId: b.externalId, projectName: b.projectName });
  await changed(c, t, t.run.id, "RESUME");
  return json(200, { ...runAnswer(c, await withProject(c.services.prisma, t.run.id)), resumed: true, forkedFromRunId: null, forkStep: null });
};

export const statusUpdate: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, StatusUpdateBody);
  let metadata: unknown = null;
  if (b.statusMetadata != null) {
    try {
      metadata = JSON.parse(b.statusMetadata);
    } catch {
      return badRequest("Invalid statusMetadata JSON");
    }
  }
  const state = normalizeState(b.status)!;
  const failure = state === "FAILED" && isJsonObject(metadata) ? metadata : null;
  try {
    const t = await updateRunState(c.services.prisma, org(c), {
      runId: b.runId,
      state,
      metadata,
      error: failure ? { code: typeof failure.type === "string" ? failure.type : null, message: String(failure.message ?? "FAILED"), details: failure } : null,
    });
    if (t.applied) await changed(c, t, b.runId, "API");
  } catch (e) {
    // A report the state machine refuses is a stale write from a racing rank: Pluto
    // answers success and ignores it, and so does the gateway.
    if (!(e instanceof InvalidTransitionError)) throw e;
  }
  return ok();
};

export const logNameAdd: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, LogNameBody);
  await addLogNames(c.services.sql, org(c), b.runId, b.logName, b.logType);
  return ok();
};

export const tagsUpdate: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, TagsBody);
  if (groupTags(b.tags).length > 1) return badRequest(GROUP_TAG_MESSAGE);
  await updateRun(c.services.prisma, org(c), { runId: b.runId, tags: b.tags });
  await changed(c, undefined, b.runId, "API");
  return ok();
};

export const configUpdate: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, ConfigBody);
  let delta: unknown;
  try {
    delta = JSON.parse(b.config);
  } catch {
    return badRequest("Invalid config JSON: expected an object");
  }
  if (!isJsonObject(delta)) return badRequest("Invalid config JSON: expected an object");
  await mergeRunConfig(c.services.prisma, org(c), b.runId, delta);
  await changed(c, undefined, b.runId, "API");
  return ok();
};

export const notesUpdate: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, NotesBody);
  await setNotes(c.services.prisma, org(c), b.runId, b.notes);
  await changed(c, undefined, b.runId, "API");
  return ok();
};

async function details(c: RouteContext, run: Run, withFork: boolean) {
  const full = await c.services.prisma.run.findUniqueOrThrow({
    where: { id: run.id },
    include: {
      project: { select: { name: true, runPrefix: true } },
      logNames: { orderBy: { id: "asc" }, take: 1000 },
      stateEvents: { orderBy: { id: "desc" }, take: 1, select: { metadata: true } },
    },
  });
  return json(200, {
    id: full.id,
    name: full.name,
    number: full.number,
    displayId: formatDisplayId(full.project.runPrefix, full.number),
    status: full.state,
    tags: full.tags,
    config: full.config,
    systemMetadata: full.systemMetadata,
    loggerSettings: full.loggerSettings,
    statusMetadata: full.stateEvents[0]?.metadata ?? null,
    createdAt: full.createdAt,
    updatedAt: full.updatedAt,
    statusUpdated: full.stateUpdatedAt,
    projectName: full.project.name,
    externalId: full.externalId,
    notes: full.notes,
    heartbeatAt: full.heartbeatAt,
    logNames: full.logNames.map((l) => ({ logName: l.name, logType: l.logType, logGroup: l.logGroup })),
    ...(withFork ? { forkedFromRunId: full.forkedFromId, forkStep: full.forkStep == null ? null : Number(full.forkStep) } : {}),
  });
}

export const detailsById: RouteHandler = async (c) => {
  const id = c.params[0]!;
  if (!/^\d{1,10}$/.test(id) || Number(id) > 2_147_483_647) return badRequest("Invalid run id");
  return details(c, await findRunOrThrow(c.services.prisma, org(c), { runId: Number(id) }), true);
};

export const detailsByDisplayId: RouteHandler = async (c) => {
  const displayId = decodeURIComponent(c.params[0]!);
  const projectName = c.url.searchParams.get("projectName") || null;
  return details(c, await findRunOrThrow(c.services.prisma, org(c), { displayId, projectName }), false);
};

/**
 * A run's metric points (Pluto's GET /api/runs/metrics), over its effective history. Like
 * Pluto, a run that is not in the project (or not the key's organization's) has no points:
 * the answer is an empty list, never a 404.
 */
export const metrics: RouteHandler = async (c) => {
  const parsed = MetricsQuery.safeParse(Object.fromEntries(c.url.searchParams));
  if (!parsed.success) return badRequest(describeIssues(parsed.error).error);
  const q = parsed.data;
  const { prisma } = c.services;
  const inProject = await prisma.run.count({ where: { id: q.runId, organizationId: org(c), project: { name: q.projectName } } });
  if (inProject === 0) return json(200, { metrics: [] });
  const metrics = await sampledRunMetrics(c.services.sql, org(c), q.runId, { name: q.logName, group: q.logGroup, limit: q.limit });
  const out = metrics.flatMap(({ name, points }) =>
    points.map((p) => ({ logName: name, logGroup: logGroupOf(name) ?? "", time: p.time.toISOString(), step: p.step, value: Number.isFinite(p.value) ? p.value : null })),
  );
  return json(200, { metrics: out });
};

const SORT_FIELDS: Record<string, RunOrderField> = { createdAt: "CREATED_AT", updatedAt: "UPDATED_AT", name: "NAME", number: "NUMBER", status: "STATE" };

export const list: RouteHandler = async (c) => {
  const parsed = ListQuery.safeParse(Object.fromEntries(c.url.searchParams));
  if (!parsed.success) return badRequest(describeIssues(parsed.error).error);
  const q = parsed.data;
  let filter: RunFilter = {};
  try {
    if (q.filter) filter = parseListFilter(q.filter);
  } catch (e) {
    if (e instanceof FilterError) return badRequest(e.message);
    throw e;
  }
  const states = q.status ? q.status.split(",").map((s) => normalizeState(s.trim())) : null;
  if (states?.some((s) => s == null)) return badRequest(`Invalid status: ${q.status}`);
  if (states) restrictStates(filter, states as RunStateName[]);
  if (q.search) filter.nameContains = q.search;
  if (q.tags) filter.tagsAny = [...(filter.tagsAny ?? []), ...q.tags.split(",").filter(Boolean)];
  // States that exclude each other (status=RUNNING with a filter on FAILED) match nothing.
  if (filter.states?.length === 0) return json(200, { runs: [], total: 0 });
  let where = runWhere(org(c), filter, q.projectName);
  if (filter.metrics?.length) {
    // Metric conditions hold over effective histories: the matching runs come from runs-by-metric.
    const ids = await runIdsByMetric(c.services.prisma, c.services.sql, org(c), where, { conditions: filter.metrics });
    where = { ...where, id: { in: ids } };
  }
  const sort = q.sort ? { field: SORT_FIELDS[q.sort.replace(/^[-+]/, "")]!, direction: q.sort.startsWith("-") ? ("DESC" as const) : ("ASC" as const) } : null;
  const [runs, total] = await Promise.all([
    c.services.prisma.run.findMany({
      where,
      orderBy: runOrderBy(sort ? [sort] : null),
      skip: q.offset,
      take: q.limit,
      include: { project: { select: { name: true, runPrefix: true } } },
    }),
    c.services.prisma.run.count({ where }),
  ]);
  return json(200, {
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      number: r.number,
      displayId: formatDisplayId(r.project.runPrefix, r.number),
      projectName: r.project.name,
      status: r.state,
      tags: r.tags,
      createdAt: r.createdAt,
    })),
    total,
  });
};

export const trigger: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, TriggerBody);
  const beat = await heartbeat(c.services.prisma, c.services.sql, org(c), b.runId);
  if (beat.change) await changed(c, beat.change, b.runId, "SYSTEM");
  return json(200, { status: beat.state, triggers: null });
};

export const alert: RouteHandler = async (c) => {
  const b = await bodyOf(c.request, AlertBody);
  const a = b.alert;
  await addAlert(c.services.prisma, org(c), b.runId, { ...a, at: a.timestamp == null ? null : new Date(a.timestamp) });
  return json(200, { status: "success" });
};

/** Routes whose data the gateway does not keep yet: a clear answer, never a broken loop. */
export const notImplemented =
  (what: string): RouteHandler =>
  async () =>
    json(501, { error: `Not implemented: this gateway does not store ${what} yet` });
