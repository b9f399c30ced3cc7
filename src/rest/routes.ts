import type { Plugin, YogaServerInstance } from "graphql-yoga";
import type { Caller } from "../domain/api-keys.js";
import type { Authenticator } from "../domain/key-cache.js";
import type { Logger } from "../logger.js";
import { openApiDocument } from "./openapi.js";
import { internalError, json, unauthorized } from "./responses.js";
import { handleCreateRun } from "./runs-create.js";

export type ExecuteOperation = <T>(query: string, variables: Record<string, unknown>) => Promise<{ data?: T | null; errors?: readonly unknown[] }>;

/** Server context a REST route hands to GraphQL: the caller it already authenticated. */
export interface RestServerContext {
  restCaller?: Caller;
}

type AuthedRoute = (request: Request, caller: Caller, execute: ExecuteOperation) => Promise<Response>;

const AUTHED_ROUTES: Record<string, { method: string; handle: AuthedRoute }> = {
  "/api/runs/create": { method: "POST", handle: handleCreateRun },
};

/**
 * Pluto's REST routes, at the edge of the Yoga server. Each authenticates with the same API
 * keys, then executes GraphQL operations through Yoga's own pipeline (parse and validation
 * caches, masked errors) with the same context a GraphQL client gets.
 */
export function useRestRoutes(opts: {
  publicUrl: string;
  logger?: Logger;
  authenticator: Pick<Authenticator, "authenticate">;
}): Plugin<RestServerContext> {
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
      const route = AUTHED_ROUTES[url.pathname];
      if (!route) return;
      if (request.method !== route.method) return endResponse(json(405, { error: "Method Not Allowed" }, { allow: route.method }));
      try {
        const auth = await opts.authenticator.authenticate(request.headers.get("authorization"));
        if (!auth.ok) return endResponse(unauthorized(auth.failure));
        endResponse(await route.handle(request, auth.caller, executor(request, auth.caller)));
      } catch (e) {
        opts.logger?.error(e);
        endResponse(internalError());
      }
    },
  };
}
