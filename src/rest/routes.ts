import type { Plugin, YogaServerInstance } from "graphql-yoga";
import type { Caller } from "../domain/api-keys.js";
import type { Authenticator } from "../domain/key-cache.js";
import type { Logger } from "../logger.js";
import { openApiDocument } from "./openapi.js";
import { internalError, json, unauthorized } from "./responses.js";
import { handleCreateRun } from "./runs-create.js";
import { ingestRoute } from "./ingest.js";
import * as routes from "./pluto-routes.js";
import type { RouteHandler, RouteServices } from "./pluto-routes.js";
import { createContext } from "../graphql/context.js";
import { AUTH_FAILURE_MESSAGES } from "../domain/api-keys.js";

export type ExecuteOperation = <T>(query: string, variables: Record<string, unknown>) => Promise<{ data?: T | null; errors?: readonly unknown[] }>;

/** Server context a REST route hands to GraphQL: the caller it already authenticated. */
export interface RestServerContext {
  restCaller?: Caller;
}

type CreateRoute = (request: Request, caller: Caller, execute: ExecuteOperation) => Promise<Response>;

interface Route {
  method: "GET" | "POST";
  path: RegExp;
  /** Where Pluto serves it: 401 bodies differ (api: {error, message}; py: {detail}). */
  service: "api" | "py";
  handle: RouteHandler;
}

const ROUTES: Route[] = [
  { method: "POST", path: /^\/api\/slug$/, service: "api", handle: routes.slug },
  { method: "POST", path: /^\/api\/runs\/resume$/, service: "api", handle: routes.resume },
  { method: "POST", path: /^\/api\/runs\/status\/update$/, service: "api", handle: routes.statusUpdate },
  { method: "POST", path: /^\/api\/runs\/logName\/add$/, service: "api", handle: routes.logNameAdd },
  { method: "POST", path: /^\/api\/runs\/tags\/update$/, service: "api", handle: routes.tagsUpdate },
  { method: "POST", path: /^\/api\/runs\/config\/update$/, service: "api", handle: routes.configUpdate },
  { method: "POST", path: /^\/api\/runs\/notes\/update$/, service: "api", handle: routes.notesUpdate },
  { method: "GET", path: /^\/api\/runs\/details\/by-display-id\/([^/]+)$/, service: "api", handle: routes.detailsByDisplayId },
  { method: "GET", path: /^\/api\/runs\/details\/([^/]+)$/, service: "api", handle: routes.detailsById },
  { method: "GET", path: /^\/api\/runs\/list$/, service: "api", handle: routes.list },
  { method: "POST", path: /^\/api\/runs\/modelGraph\/create$/, service: "api", handle: routes.notImplemented("model graphs") },
  { method: "POST", path: /^\/api\/runs\/trigger$/, service: "py", handle: routes.trigger },
  { method: "POST", path: /^\/api\/runs\/alert$/, service: "py", handle: routes.alert },
  { method: "POST", path: /^\/ingest\/data$/, service: "api", handle: routes.notImplemented("data (histograms, tables, graphs)") },
  { method: "POST", path: /^\/files$/, service: "api", handle: routes.notImplemented("files") },
];

/**
 * Pluto's REST routes, at the edge of the Yoga server. Each authenticates with the same API
 * keys, then executes GraphQL operations through Yoga's own pipeline (parse and validation
 * caches, masked errors) with the same context a GraphQL client gets.
 */
export function useRestRoutes(
  opts: RouteServices & {
    logger?: Logger;
    authenticator: Pick<Authenticator, "authenticate">;
  },
): Plugin<RestServerContext> {
  const ingest: Record<string, (request: Request) => Promise<Response>> = {
    "/ingest/metrics": ingestRoute("metrics", opts, opts.authenticator),
    "/ingest/logs": ingestRoute("logs", opts, opts.authenticator),
  };
  const create: Record<string, CreateRoute> = { "/api/runs/create": handleCreateRun };
  let yoga: YogaServerInstance<RestServerContext, Record<string, unknown>>;

  const executor = (request: Request, caller: Caller): ExecuteOperation => async (query, variables) => {
    const { parse, validate, contextFactory, execute, schema } = yoga.getEnveloped({ request, restCaller: caller });
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
    async onRequest({ request, url, endResponse }) {
      if (url.pathname === "/api/openapi.json" && request.method === "GET") {
        return endResponse(json(200, openApiDocument(opts.publicUrl)));
      }
      const path = url.pathname;
      const createRoute = create[path];
      const ingestRoute = ingest[path];
      let route: Route | undefined;
      let params: string[] = [];
      if (!createRoute && !ingestRoute) {
        const matching = ROUTES.filter((r) => r.path.test(path));
        if (matching.length === 0) return;
        route = matching.find((r) => r.method === request.method);
        if (!route) return endResponse(json(405, { error: "Method Not Allowed" }, { allow: matching.map((r) => r.method).join(", ") }));
        params = route.path.exec(path)!.slice(1);
      } else if (request.method !== "POST") {
        return endResponse(json(405, { error: "Method Not Allowed" }, { allow: "POST" }));
      }
      try {
        if (ingestRoute) return endResponse(await ingestRoute(request));
        const auth = await opts.authenticator.authenticate(request.headers.get("authorization"));
        if (!auth.ok) {
          if (route?.service === "py") return endResponse(json(401, { detail: AUTH_FAILURE_MESSAGES[auth.failure] ?? "Unauthorized" }));
          return endResponse(unauthorized(auth.failure));
        }
        if (createRoute) return endResponse(await createRoute(request, auth.caller, executor(request, auth.caller)));
        const handle = routes.withErrors(route!.handle, route!.service === "py" ? "detail" : "error");
        endResponse(await handle({ request, url, caller: auth.caller, services: opts, params, gql: createContext(opts, auth.caller, null) }));
      } catch (e) {
        opts.logger?.error(e);
        endResponse(route?.service === "py" ? json(500, { detail: "Internal Server Error" }) : internalError());
      }
    },
  };
}
