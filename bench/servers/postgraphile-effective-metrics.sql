-- What a PostGraphile user would add to serve the gateway's `Run.metrics`: a computed column
-- (a STABLE function named after the table, taking its row) giving one summary per metric
-- over the run's effective history, which for a fork is its ancestors' points up to each fork
-- step followed by its own. Without it PostGraphile can only return a run's own summaries
-- (`metricsByRunId`), which for a fork is a different answer. The body is the gateway's
-- statement (src/domain/metric-history.ts, metricSummariesOfRuns) for one run; bench/index.ts
-- checks that both servers give the same page before measuring. 1000 is LIMITS.rollupBlock.
DROP FUNCTION IF EXISTS runs_effective_metrics(runs);
CREATE FUNCTION runs_effective_metrics(self runs)
RETURNS TABLE (name text, count integer, min double precision, max double precision, last_value double precision)
LANGUAGE sql STABLE AS $$
  WITH chain AS (
    SELECT r.id AS run_id, r.max_step,
           coalesce(r.fork_step, -1) AS lo,
           coalesce(lead(r.fork_step) OVER (ORDER BY r.fork_depth), 9007199254740991) AS hi
    FROM runs r WHERE r.id = self.id OR r.id = ANY(self.ancestor_ids)
  ),
  seg AS (
    SELECT run_id, lo < 0 AND (max_step IS NULL OR hi >= max_step) AS whole, lo + 1 AS a, hi AS b
    FROM chain WHERE lo < hi
  ),
  sm AS (
    SELECT s.whole, s.a, s.b, s.a / 1000 AS ba, s.b / 1000 AS bb,
           m.id AS metric_id, m.name, m.count, m.min, m.max, m.last_step, m.last_value
    FROM seg s CROSS JOIN LATERAL (SELECT * FROM metrics m WHERE m.run_id = s.run_id AND m.count > 0 OFFSET 0) m
  ),
  parts AS (
    SELECT name, count::bigint AS n, min AS mn, max AS mx, last_step AS ls, last_value AS lv
    FROM sm WHERE whole
    UNION ALL
    SELECT sm.name, r.count::bigint, r.min, r.max, r.last_step, r.last_value
    FROM sm CROSS JOIN LATERAL (SELECT * FROM metric_rollups r
      WHERE r.metric_id = sm.metric_id AND r.block >= sm.ba AND r.block <= sm.bb AND r.first_step >= sm.a AND r.last_step <= sm.b
      OFFSET 0) r
    WHERE NOT sm.whole
    UNION ALL
    SELECT sm.name, 1::bigint, CASE WHEN p.value <> 'NaN' THEN p.value END, CASE WHEN p.value <> 'NaN' THEN p.value END, p.step, p.value
    FROM sm CROSS JOIN LATERAL (
      SELECT * FROM (VALUES (1, sm.ba, sm.a, LEAST(sm.b, (sm.ba + 1) * 1000 - 1)), (2, sm.bb, GREATEST(sm.a, sm.bb * 1000), sm.b)) AS e(i, blk, lo, hi)
      WHERE (e.i = 1 OR sm.bb <> sm.ba)
        AND NOT EXISTS (SELECT 1 FROM metric_rollups r
          WHERE r.metric_id = sm.metric_id AND r.block = e.blk AND r.first_step >= sm.a AND r.last_step <= sm.b)
      OFFSET 0) e
    CROSS JOIN LATERAL (SELECT step, value FROM metric_points
      WHERE metric_id = sm.metric_id AND step >= e.lo AND step <= e.hi OFFSET 0) p
    WHERE NOT sm.whole
  )
  SELECT name, sum(n)::int, min(mn), max(mx), (max(ARRAY[ls::float8, lv]))[2]
  FROM parts GROUP BY name ORDER BY name
$$;
