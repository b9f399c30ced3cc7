// Sizes the run model allows, in one place.
export const LIMITS = {
  nameLength: 255,
  projectNameLength: 255,
  externalIdLength: 255,
  notesLength: 1000,
  tags: 50,
  tagLength: 255,
  shortTextLength: 255,
  metricNameLength: 255,
  pointsPerCall: 10_000,
  /** Steps and fork steps are integers that JSON and JS numbers carry exactly. */
  maxStep: Number.MAX_SAFE_INTEGER,
  pageSize: 100,
  /** A connection's page when the client gives neither first nor last. */
  defaultPageSize: 20,
  /** Steps per rollup block (metric_rollups.block = step / rollupBlock). */
  rollupBlock: 1000,
  metricPageSize: 10_000,
} as const;

// Limits on what a GraphQL document may ask (src/graphql/query-limits.ts), each a setting.
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** See query-cost.ts: fields, times the page sizes above them. */
  maxCost: number;
  /** Schema introspection (GraphiQL needs it); off in a locked-down production. */
  introspection: boolean;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 14,
  maxAliases: 30,
  maxTokens: 5_000,
  maxDirectives: 50,
  maxCost: 100_000,
  introspection: true,
};

