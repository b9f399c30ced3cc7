import type { Server } from "node:http";
import type { ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Gateway } from "./server.js";

// GraphQL over WebSocket (graphql-ws) on the GraphQL path, for clients that prefer it to
// SSE. Each operation runs through Yoga's own pipeline, like an HTTP request; the key comes
// in connectionParams ({ "Authorization": "Bearer mlps_…" }) or on the upgrade request.

type Executor = { execute: (a: ExecutionArgs) => never; subscribe: (a: ExecutionArgs) => never };

export function attachWebSocket(server: Server, gateway: Gateway): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: gateway.graphqlEndpoint });
  useServer(
    {
      execute: (args) => (args.rootValue as Executor).execute(args),
      subscribe: (args) => (args.rootValue as Executor).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof fromParams === "string" ? fromParams : ctx.extra.request.headers.authorization;
        const request = new Request(`http://websocket${gateway.graphqlEndpoint}`, {
          headers: authorization ? { authorization } : {},
        });
        const { schema, execute, subscribe, contextFactory, parse, validate } = gateway.getEnveloped({ request, params });
        const document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length) return errors;
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
