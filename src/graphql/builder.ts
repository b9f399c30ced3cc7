import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { GraphQLScalarType } from "graphql";
import { JSONObjectResolver, JSONResolver, SafeIntResolver } from "graphql-scalars";
import { createGraphQLError } from "graphql-yoga";
import type PrismaTypes from "../generated/pothos-types.js";
import { getDatamodel } from "../generated/pothos-types.js";
import type { JsonObject } from "../domain/json-merge.js";
import { LIMITS } from "../domain/limits.js";
import { unauthenticated, type Context } from "./context.js";
import { DateTimeScalar } from "./date-time.js";

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { member: boolean };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Connection: { totalCount?: number | (() => number | Promise<number>) };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: JsonObject; Output: JsonObject };
    SafeInt: { Input: number; Output: number };
    MetricValue: { Input: number; Output: number };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({ member: ctx.caller !== null }),
    unauthorizedError: (_parent, ctx) => unauthenticated(ctx.authFailure),
  },
  errors: { directResult: true },
  prisma: {
    // The database comes with each request, so one schema serves PGlite, PostgreSQL and tests.
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "error",
    maxConnectionSize: LIMITS.pageSize,
    defaultConnectionSize: LIMITS.defaultPageSize,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodesOnConnection: true,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType("DateTime", DateTimeScalar);
builder.addScalarType("JSON", JSONResolver);
// graphql-scalars names a rejected value by interpolating it: an array holding an object
// whose "toString" key is not a function then throws a TypeError (an internal error)
// instead of the validation error. Values are checked here first.
const jsonObjectConfig = JSONObjectResolver.toConfig();
builder.addScalarType(
  "JSONObject",
  new GraphQLScalarType({
    ...jsonObjectConfig,
    parseValue: (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw createGraphQLError(`JSONObject cannot represent a non-object value: ${Array.isArray(value) ? "an array" : typeof value === "object" ? "null" : `a ${typeof value}`}.`);
      }
      return jsonObjectConfig.parseValue!(value);
    },
  }),
);
builder.addScalarType("SafeInt", SafeIntResolver);

// Every connection answers totalCount; Prisma connections compute it only when asked.
builder.globalConnectionField("totalCount", (t) =>
  t.int({
    nullable: false,
    resolve: (parent) => (typeof parent.totalCount === "function" ? parent.totalCount() : (parent.totalCount ?? 0)),
  }),
);

builder.queryType({ authScopes: { member: true } });
builder.mutationType({ authScopes: { member: true } });
