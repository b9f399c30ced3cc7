import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, NoSchemaIntrospectionCustomRule, type GraphQLSchema, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import { queryCost } from "./query-cost.js";
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from "../domain/limits.js";

export { DEFAULT_QUERY_LIMITS, type QueryLimits };

// Limits on what a GraphQL document may ask, checked before execution. The defaults leave
// room for the frontend's deepest real query (projects → runs → forks → stateHistory /
// metric history, about 9 levels, a cost near 10,000) and for GraphiQL's introspection;
// each is a setting (config.ts, README "Limits").

/** Connection page size Pothos applies when a client gives none (builder.ts). */
export const DEFAULT_PAGE = 20;

// graphql-armor throws its refusals as untyped "Syntax Error: …" errors: report each as a
// validation error with a code clients can branch on, without the misleading prefix.
const typed =
  (code: string) =>
  (context: ValidationContext | null, error: GraphQLError): void =>
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ""), { extensions: { code } }));
const rejecting = (code: string) => ({ propagateOnRejection: false, onReject: [typed(code)] });

export function useQueryLimits(schema: GraphQLSchema, limits: QueryLimits = DEFAULT_QUERY_LIMITS): Plugin[] {
  const cost: Plugin = {
    onExecute({ args, setResultAndStopExecution }) {
      const n = queryCost(schema, args.document, args.operationName, (args.variableValues ?? {}) as Record<string, unknown>, DEFAULT_PAGE);
      if (n > limits.maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(`Query cost ${n} exceeds the limit of ${limits.maxCost}: ask for smaller pages (first/last/count).`, {
              extensions: { code: "COST_LIMIT_EXCEEDED", cost: n, limit: limits.maxCost },
            }),
          ],
        });
      }
    },
  };
  const introspection: Plugin = {
    onValidate({ addValidationRule }) {
      if (!limits.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...rejecting("DEPTH_LIMIT_EXCEEDED") },
      maxAliases: { n: limits.maxAliases, ...rejecting("ALIAS_LIMIT_EXCEEDED") },
      maxTokens: { n: limits.maxTokens },
      maxDirectives: { n: limits.maxDirectives, ...rejecting("DIRECTIVE_LIMIT_EXCEEDED") },
      // graphql-armor's own cost grows as 1.5^depth and ignores page sizes; query-cost.ts counts pages.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: true },
    }),
    cost,
    introspection,
  ];
}
