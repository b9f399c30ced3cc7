// The floors of the overhead ladder, for bench/index.ts: BARE=http answers every request
// with a fixed JSON body from node:http; BARE=yoga is graphql-yoga with a one-field schema;
// BARE=page is graphql-yoga executing the nested history query on graphql-js from memory.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";
import { RUN_STATES } from "../../src/domain/run-state.js";
import { DateTimeScalar } from "../../src/graphql/date-time.js";

// The nested page's shape, on a schema with graphql-js's default resolvers: what executing
// the page and writing it out costs before any data is fetched. PAGES is a JSON file of the
// gateway's own answers by project name, so this server returns the same bytes.
const PAGE_SCHEMA = `
  scalar DateTime
  enum RunState { ${RUN_STATES.join(" ")} }
  type Query { project(name: String!): Project }
  type Project { runs(first: Int): RunConnection! }
  type RunConnection { totalCount: Int! nodes: [Run!]! }
  type Run {
    runId: Int! number: Int name: String! state: RunState! createdAt: DateTime!
    forkedFrom: Run forks: RunConnection! stateHistory(last: Int): RunStateEventConnection! metrics: [MetricSummary!]!
  }
  type RunStateEventConnection { nodes: [RunStateEvent!]! }
  type RunStateEvent { fromState: RunState toState: RunState! at: DateTime! }
  type MetricSummary { name: String! count: Int! min: Float max: Float last: Float }
`;

function pageServer() {
  // Times as Dates, as the gateway's rows hold them, so both format the same 300 dates a page.
  const revive = (key: string, value: unknown) => ((key === "createdAt" || key === "at") && typeof value === "string" ? new Date(value) : value);
  const pages = new Map(Object.entries(JSON.parse(readFileSync(process.env.PAGES!, "utf8"), revive) as Record<string, unknown>));
  const resolvers = { DateTime: DateTimeScalar, Query: { project: (_: unknown, args: { name: string }) => pages.get(args.name) ?? null } };
  return createYoga({ schema: createSchema({ typeDefs: PAGE_SCHEMA, resolvers }), logging: false, landingPage: false });
}

const body = JSON.stringify({ data: { __typename: "Query" } });
const handler =
  process.env.BARE === "yoga"
    ? createYoga({ schema: createSchema({ typeDefs: "type Query { ok: Boolean }" }), logging: false, landingPage: false })
    : process.env.BARE === "page"
      ? pageServer()
      : (_req: unknown, res: import("node:http").ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end(body);
createServer(handler as never).listen(Number(process.env.PORT), "127.0.0.1", () => console.error("bare ready"));
