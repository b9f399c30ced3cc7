import pg from "pg";
import { LIMITS } from "../src/domain/limits.js";

const ROLLUP_BLOCK = LIMITS.rollupBlock;

// The benchmark's data set, written straight in SQL: projects of one organization, runs
// newest last, fork chains up to depth 10, state events, and metric points with their
// per-series summaries (what ingest keeps). Sizes scale with `runs`.

export interface SeedSize {
  projects: number;
  runs: number;
  eventsPerRun: number;
  pointsPerRun: number;
}

export const QUICK: SeedSize = { projects: 20, runs: 10_000, eventsPerRun: 10, pointsPerRun: 50 };
export const FULL: SeedSize = { projects: 20, runs: 100_000, eventsPerRun: 10, pointsPerRun: 200 };

export async function seed(databaseUrl: string, organizationSlug: string, size: SeedSize): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: number }>("SELECT id FROM organizations WHERE slug = $1", [organizationSlug]);
    const org = rows[0]!.id;
    const perProject = Math.ceil(size.runs / size.projects);
    await db.query("BEGIN");
    await db.query(
      `INSERT INTO projects (organization_id, name, run_prefix, next_run_number, updated_at)
       SELECT $1, 'project-' || lpad(p::text, 2, '0'), 'P' || p, $3 + 1, now() FROM generate_series(1, $2) p`,
      [org, size.projects, perProject],
    );
    // Runs: in each project, every tenth run starts a chain that the next nine extend, one
    // level each, forked at step 10 of the run before (depth 1 … 9; the root is depth 0).
    await db.query(
      `INSERT INTO runs (organization_id, project_id, number, name, tags, config, state, created_at, updated_at, started_at,
                         state_updated_at, forked_from_id, fork_step, fork_depth, ancestor_ids, max_step)
       SELECT $1, p.id, n, 'run ' || n, ARRAY['sweep-' || (n % 5)], jsonb_build_object('lr', n * 1e-4),
              (CASE WHEN n % 7 = 0 THEN 'FAILED' WHEN n % 3 = 0 THEN 'COMPLETED' ELSE 'RUNNING' END)::"RunState",
              now() - make_interval(secs => ($2 - n) * 60), now(), now() - make_interval(secs => ($2 - n) * 60), now(),
              NULL, NULL, (n - 1) % 10, '{}', $3 - 1
       FROM projects p, generate_series(1, $2) n WHERE p.organization_id = $1 ORDER BY p.id, n`,
      [org, perProject, size.pointsPerRun],
    );
    // Link each chain member to the run numbered one below it in its project.
    await db.query(
      `UPDATE runs c SET forked_from_id = parent.id, fork_step = 10
       FROM runs parent WHERE c.organization_id = $1 AND c.fork_depth > 0
         AND parent.project_id = c.project_id AND parent.number = c.number - 1`,
      [org],
    );
    await db.query(
      `WITH RECURSIVE chain AS (
         SELECT id, ARRAY[]::int[] AS ancestors FROM runs WHERE organization_id = $1 AND fork_depth = 0
         UNION ALL SELECT r.id, chain.ancestors || r.forked_from_id FROM runs r JOIN chain ON r.forked_from_id = chain.id
       ) UPDATE runs SET ancestor_ids = chain.ancestors FROM chain WHERE runs.id = chain.id AND cardinality(chain.ancestors) > 0`,
      [org],
    );
    await db.query(
      `INSERT INTO run_state_events (run_id, from_state, to_state, source, at)
       SELECT r.id, CASE WHEN e = 1 THEN NULL ELSE (CASE WHEN e % 2 = 0 THEN 'RUNNING' ELSE 'PAUSED' END)::"RunState" END,
              (CASE WHEN e % 2 = 0 THEN 'PAUSED' ELSE 'RUNNING' END)::"RunState", 'API', r.created_at + make_interval(secs => e)
       FROM runs r, generate_series(1, $2) e WHERE r.organization_id = $1`,
      [org, size.eventsPerRun],
    );
    await db.query(`INSERT INTO metrics (run_id, name) SELECT id, 'loss' FROM runs WHERE organization_id = $1`, [org]);
    // A fork's own points start after its fork step.
    await db.query(
      `INSERT INTO metric_points (metric_id, step, value, time)
       SELECT m.id, s, 1.0 / (s + 1 + r.number % 10), now()
       FROM metrics m JOIN runs r ON r.id = m.run_id, generate_series(0, $2 - 1) s
       WHERE r.organization_id = $1 AND s > COALESCE(r.fork_step, -1)`,
      [org, size.pointsPerRun],
    );
    await db.query(
      `UPDATE metrics m SET count = s.n, min = s.mn, max = s.mx, last_step = s.ls, last_value = s.lv
       FROM (SELECT metric_id, count(*) n, min(value) mn, max(value) mx, max(step) ls, (max(ARRAY[step::float8, value]))[2] lv
             FROM metric_points GROUP BY metric_id) s WHERE m.id = s.metric_id`,
    );
    await db.query(
      `INSERT INTO metric_rollups (metric_id, block, count, non_nan, sum, min, max, first_step, first_value, last_step, last_value)
       SELECT metric_id, step / $1, count(*), count(*), sum(value), min(value), max(value),
              min(step), (min(ARRAY[step::float8, value]))[2], max(step), (max(ARRAY[step::float8, value]))[2]
       FROM metric_points GROUP BY 1, 2`,
      [ROLLUP_BLOCK],
    );
    await db.query("COMMIT");
    await db.query("ANALYZE");
  } finally {
    await db.end();
  }
}
