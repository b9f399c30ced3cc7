import { Prisma } from "../generated/prisma/client.js";
import { queryTemplate, type Sql } from "../db/sql.js";
import type { Db } from "./db.js";

// Fork lineage (run-model.md, "Fork" and "Metrics"). Each run stores its ancestors' ids,
// so a whole chain is read in one query, whatever its depth.

export interface LineageNode {
  id: number;
  forkedFromId: number | null;
  /** The step this run was forked at; its own history starts after it. */
  forkStep: number | null;
  /** Largest step the run logged itself, any metric. */
  maxStep: number | null;
  forkDepth: number;
  ancestorIds: number[];
}

/** A run's part of an effective history: its own points with lo < step <= hi. */
export interface Segment {
  runId: number;
  lo: number;
  hi: number;
}

const toNum = (v: bigint | string | number | null): number | null => (v == null ? null : Number(v));

/** The chain root → … → run, for a run of the organization; [] if there is none. */
export async function loadChain(db: Db | Sql, organizationId: number, runId: number): Promise<LineageNode[]> {
  return (await loadChains(db, organizationId, [runId])).get(runId) ?? [];
}

/**
 * The chains of several runs in one query; runs not of the organization are absent. Takes
 * a Sql so that long lists go through the plain driver on PostgreSQL.
 */
export async function loadChains(db: Db | Sql, organizationId: number, runIds: readonly number[]): Promise<Map<number, LineageNode[]>> {
  type Row = { target: number; id: number; forked_from_id: number | null; fork_step: bigint | string | null; max_step: bigint | string | null; fork_depth: number; ancestor_ids: number[] };
  const rows = await queryTemplate<Row>(db, Prisma.sql`
    SELECT self.id AS target, r.id, r.forked_from_id, r.fork_step, r.max_step, r.fork_depth, r.ancestor_ids
    FROM runs self JOIN runs r ON r.id = self.id OR r.id = ANY(self.ancestor_ids)
    WHERE self.id = ANY(${[...runIds]}::int[]) AND self.organization_id = ${organizationId}
    ORDER BY self.id, r.fork_depth`, "run_chains");
  const chains = new Map<number, LineageNode[]>();
  for (const r of rows) {
    const chain = chains.get(r.target) ?? [];
    chain.push({
      id: r.id,
      forkedFromId: r.forked_from_id,
      forkStep: toNum(r.fork_step),
      maxStep: toNum(r.max_step),
      forkDepth: r.fork_depth,
      ancestorIds: r.ancestor_ids,
    });
    chains.set(r.target, chain);
  }
  return chains;
}

/** Segments of the effective history of the last run of `chain` (root first). */
export function effectiveSegments(chain: readonly LineageNode[]): Segment[] {
  return chain.map((node, i) => ({
    runId: node.id,
    lo: node.forkStep ?? -1,
    hi: chain[i + 1]?.forkStep ?? Number.MAX_SAFE_INTEGER,
  }));
}

/** What a read covers: the run's own points only, or its effective history. */
export function readSegments(chain: readonly LineageNode[], ownOnly: boolean | null | undefined): Segment[] {
  return ownOnly ? [{ runId: chain.at(-1)!.id, lo: -1, hi: Number.MAX_SAFE_INTEGER }] : effectiveSegments(chain);
}

/**
 * Largest step in the effective history of the chain's last run, or null when nothing was
 * logged along it. Uses each run's max step, capped by where its segment ends.
 */
export function effectiveMaxStep(chain: readonly LineageNode[]): number | null {
  let max: number | null = null;
  effectiveSegments(chain).forEach((seg, i) => {
    const own = chain[i]!.maxStep;
    if (own != null && own > seg.lo) max = Math.min(own, seg.hi);
  });
  return max;
}

/**
 * The run that owns `step` in the effective history of the chain's last run: forking at
 * or before a run's own fork step means forking its ancestor.
 */
export function resolveForkOwner(chain: readonly LineageNode[], step: number): LineageNode {
  let i = chain.length - 1;
  while (i > 0 && chain[i]!.forkStep != null && step <= chain[i]!.forkStep!) i--;
  return chain[i]!;
}
