import type { Plugin, YogaServerInstance } from "graphql-yoga";
import type { Caller } from "../domain/api-keys.js";
import type { Authenticator } from "../domain/key-cache.js";
import { tagRequest, type Logger } from "../logger.js";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import { openApiDocument } from "./openapi.js";
import { DEFAULT_MAX_BODY_BYTES, isChunked, payloadTooLarge, readLimited } from "../body-limit.js";
import { internalError, json, serviceUnavailable, tooManyRequests, unauthorized } from "./responses.js";
import { handleCreateRun } from "./runs-create.js";
import { ingestRoute } from "./ingest.js";
import * as routes from "./pluto-routes.js";
import type { RouteHandler, RouteServices } from "./pluto-routes.js";
import * as bodies from "./pluto-bodies.js";
import { CreateRunResponse } from "./create-run-body.js";
import type { RouteDoc } from "./openapi.js";
import { createContext } from "../graphql/context.js";
import { AUTH_FAILURE_MESSAGES } from "../domain/api-keys.js";

export type ExecuteOperation = <T>(query: string, variables: Record<string, unknown>) => Promise<{ data?: T | null; errors?: readonly unknown[] }>;

/** Server context a REST route hands to GraphQL: the caller it already authenticated. */
export interface RestServerContext {
  restCaller?: Caller;
  /** Set by app.ts for each HTTP request; carried to the lines logged for it. */
  requestId?: string;
}

type CreateRoute = (request: Request, caller: Caller, execute: ExecuteOperation) => Promise<Response>;

interface Route extends RouteDoc {
  handle: RouteHandler;
  pattern: RegExp;
}

/** A route by its OpenAPI path: "{x}" matches one path segment. */
const served = (doc: RouteDoc, handle: RouteHandler): Route => ({
  ...doc,
  handle,
  pattern: new RegExp(`^${doc.path.replace(/\{[^}]+\}/g, "([^/]+)")}$`),
});

const ROUTES: Route[] = [
  served({ method: "POST", path: "/api/slug", service: "api", summary: "The key's organization (the SDK's key check)", response: bodies.SlugResponse }, routes.slug),
  served({ method: "POST", path: "/api/runs/resume", service: "api", summary: "Resume a run; a finished one goes back to RUNNING", body: bodies.ResumeBody, response: CreateRunResponse, errors: [400, 404, 409] }, routes.resume),
  served({ method: "POST", path: "/api/runs/status/update", service: "api", summary: "Report a status; among final states the more severe wins, a refused report is still answered as success", body: bodies.StatusUpdateBody, errors: [400, 404] }, routes.statusUpdate),
  served({ method: "POST", path: "/api/runs/logName/add", service: "api", summary: "Register the names a run logs under (idempotent)", body: bodies.LogNameBody, errors: [400, 404] }, routes.logNameAdd),
  served({ method: "POST", path: "/api/runs/tags/update", service: "api", summary: "Replace the run's tags", body: bodies.TagsBody, errors: [400, 404] }, routes.tagsUpdate),
  served({ method: "POST", path: "/api/runs/config/update", service: "api", summary: "Deep-merge a delta into the run's config", body: bodies.ConfigBody, errors: [400, 404] }, routes.configUpdate),
  served({ method: "POST", path: "/api/runs/notes/update", service: "api", summary: "Set the run's notes (empty or null clears them)", body: bodies.NotesBody, errors: [400, 404] }, routes.notesUpdate),
  served({ method: "GET", path: "/api/runs/details/by-display-id/{displayId}", service: "api", summary: "A run by display id (projectName query parameter scopes it)", response: bodies.DetailsResponse, errors: [400, 404, 409] }, routes.detailsByDisplayId),
  served({ method: "GET", path: "/api/runs/details/{id}", service: "api", summary: "A run by id, with its fork fields", response: bodies.DetailsResponse, errors: [400, 404] }, routes.detailsById),
  served({ method: "GET", path: "/api/runs/list", service: "api", summary: "A project's runs: search, tags (any), status, sort, limit, offset", query: bodies.ListQuery, response: bodies.ListResponse, errors: [400] }, routes.list),
  served({ method: "GET", path: "/api/runs/metrics", service: "api", summary: "A run's metric points (effective history), thinned evenly to `limit`; empty for a run not in the project", query: bodies.MetricsQuery, response: bodies.MetricsResponse, errors: [400] }, routes.metrics),
  served({ method: "POST", path: "/api/runs/modelGraph/create", service: "api", summary: "Not stored yet: 501", notImplemented: true }, routes.notImplemented("model graphs")),
  served({ method: "POST", path: "/api/runs/trigger", service: "py", summary: "Heartbeat: answers the run's status (CANCELLED tells the client to stop)", body: bodies.TriggerBody, response: bodies.TriggerResponse, errors: [400, 404] }, routes.trigger),
  served({ method: "POST", path: "/api/runs/alert", service: "py", summary: "Record an alert the run raised", body: bodies.AlertBody, response: bodies.AlertResponse, errors: [400, 404] }, routes.alert),
  served({ method: "POST", path: "/ingest/data", service: "api", summary: "Not stored yet: 501", notImplemented: true }, routes.notImplemented("data (histograms, tables, graphs)")),
  served({ method: "POST", path: "/files", service: "api", summary: "Not stored yet: 501", notImplemented: true }, routes.notImplemented("files")),
];

/** Every route, for the OpenAPI document. */
export const ROUTE_DOCS: RouteDoc[] = ROUTES;

const FIXED_PATHS = new Set(["/api/runs/create", "/ingest/metrics", "/ingest/logs", "/api/openapi.json"]);

/** The route a path is served by, as its template ("/api/runs/details/{id}"); null for none. */
export function restRouteLabel(path: string): string | null {
  if (FIXED_PATHS.has(path)) return path;
  return ROUTES.find((r) => r.pattern.test(path))?.path ?? null;
}

/**
 * Pluto's REST routes, at the edge of the Yoga server. Each authenticates with the same API
 * keys, then executes GraphQL operations through Yoga's own pipeline (parse and validation
 * caches, masked errors) with the same context a GraphQL client gets.
 */
export function useRestRoutes(
  opts: RouteServices & {
    logger?: Logger;
    authenticator: Pick<Authenticator, "authenticate">;
    maxBodyBytes?: number;
  },
): Plugin<RestServerContext> {
  const ingest: Record<string, (request: Request) => Promise<Response>> = {
    "/ingest/metrics": ingestRoute("metrics", opts, opts.authenticator),
    "/ingest/logs": ingestRoute("logs", opts, opts.authenticator),
  };
  const create: Record<string, CreateRoute> = { "/api/runs/create": handleCreateRun };
  let yoga: YogaServerInstance<RestServerContext, Record<string, unknown>>;

  const executor = (request: Request, caller: Caller, requestId: string | undefined): ExecuteOperation => async (query, variables) => {
    const { parse, validate, contextFactory, execute, schema } = yoga.getEnveloped({ request, restCaller: caller, requestId });
    const document = parse(query);
    const errors = validate(schema, document);
    if (errors.length) return { errors };
    const result = await execute({ schema, document, variableValues: variables, contextValue: await contextFactory() });
    return result as { data?: never; errors?: readonly unknown[] };
  };

  return {
    onYogaInit({ yoga: instance }) {
      yoga = instance as unknown as typeof yoga;
    },
    async onRequest({ request: received, url, endResponse, serverContext, fetchAPI }) {
      const { requestId } = serverContext as RestServerContext;
      if (url.pathname === "/api/openapi.json" && received.method === "GET") {
        return endResponse(json(200, openApiDocument(opts.publicUrl, ROUTE_DOCS)));
      }
      const path = url.pathname;
      const createHandler = create[path];
      const ingestHandler = ingest[path];
      let route: Route | undefined;
      let params: string[] = [];
      if (!createHandler && !ingestHandler) {
        const matching = ROUTES.filter((r) => r.pattern.test(path));
        if (matching.length === 0) return;
        route = matching.find((r) => r.method === received.method);
        if (!route) return endResponse(json(405, { error: "Method Not Allowed" }, { allow: matching.map((r) => r.method).join(", ") }));
        params = route.pattern.exec(path)!.slice(1);
      } else if (received.method !== "POST") {
        return endResponse(json(405, { error: "Method Not Allowed" }, { allow: "POST" }));
      }
      // The routes read their bodies whole: a chunked one is read here, up to the limit.
      let request = received;
      if (isChunked(received)) {
        const maxBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
        const text = await readLimited(received, maxBytes);
        if (text === null) return endResponse(payloadTooLarge(maxBytes));
        request = new fetchAPI.Request(received.url, { method: received.method, headers: received.headers, body: text });
      }
      // Pluto's py service (FastAPI) answers {detail}; the others {error}.
      const errorKey = route?.service === "py" ? "detail" : "error";
      try {
        if (ingestHandler) return endResponse(await ingestHandler(request));
        const auth = await opts.authenticator.authenticate(request.headers.get("authorization"));
        if (!auth.ok) {
          if (errorKey === "detail") return endResponse(json(401, { detail: AUTH_FAILURE_MESSAGES[auth.failure] ?? "Unauthorized" }));
          return endResponse(unauthorized(auth.failure));
        }
        const wait = opts.rateLimiter?.take(auth.caller.apiKeyId) ?? 0;
        if (wait > 0) return endResponse(tooManyRequests(wait, errorKey));
        if (createHandler) return endResponse(await createHandler(request, auth.caller, executor(request, auth.caller, requestId)));
        const handle = routes.withErrors(route!.handle, errorKey);
        endResponse(await handle({ request, url, caller: auth.caller, services: opts, params, gql: createContext(opts, auth.caller, null) }));
      } catch (e) {
        tagRequest(e, requestId);
        opts.logger?.error(e);
        if (isDatabaseUnavailable(e)) return endResponse(serviceUnavailable(errorKey));
        endResponse(errorKey === "detail" ? json(500, { detail: "Internal Server Error" }) : internalError());
      }
    },
  };
}
