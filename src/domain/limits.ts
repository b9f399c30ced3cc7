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
  /** Steps per rollup block (metric_rollups.block = step / rollupBlock). */
  rollupBlock: 1000,
  metricPageSize: 10_000,
} as const;
