// The floors of the overhead ladder, for bench/index.ts: BARE=http answers every request
// with a fixed JSON body from node:http; BARE=yoga is graphql-yoga with a one-field schema.
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";

const body = JSON.stringify({ data: { __typename: "Query" } });
const handler =
  process.env.BARE === "yoga"
    ? createYoga({ schema: createSchema({ typeDefs: "type Query { ok: Boolean }" }), logging: false, landingPage: false })
    : (_req: unknown, res: import("node:http").ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end(body);
createServer(handler as never).listen(Number(process.env.PORT), "127.0.0.1", () => console.error("bare ready"));
