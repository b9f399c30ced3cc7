import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";

// Limits on the shape of a GraphQL document, checked before execution (connection page
// sizes are capped separately, at 100 nodes). They leave room for
// the frontend's deepest real query (projects → runs → forks → stateHistory / metric
// history, about 9 levels) and for GraphiQL's introspection. Issue 6 makes each one a setting.
export const QUERY_LIMITS = {
  maxDepth: 14,
  maxAliases: 30,
  maxTokens: 5_000,
  maxDirectives: 50,
} as const;

export function useQueryLimits() {
  return EnvelopArmorPlugin({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxTokens: { n: QUERY_LIMITS.maxTokens },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // graphql-armor's cost grows as 1.5^depth and ignores page sizes (`first`), so it refuses
    // the frontend's real query at any useful bound; a page-size-aware cost limit is issue 6.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  });
}
