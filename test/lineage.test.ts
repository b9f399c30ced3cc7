import { describe, expect, it } from "vitest";
import { effectiveMaxStep, effectiveSegments, resolveForkOwner, type LineageNode } from "../src/domain/lineage.js";
import { shallowOverlay } from "../src/domain/json-merge.js";
import { inheritTags } from "../src/domain/tags.js";

const node = (id: number, forkStep: number | null, maxStep: number | null, depth: number): LineageNode => ({
  id,
  forkedFromId: depth ? id - 1 : null,
  forkStep,
  maxStep,
  forkDepth: depth,
  ancestorIds: Array.from({ length: depth }, (_, i) => i + 1),
});

// root → A (fork at 100) → B (fork at 150, from A)
const chain = [node(1, null, 200, 0), node(2, 100, 180, 1), node(3, 150, 300, 2)];

describe("effective history segments", () => {
  it("root → A → B: root's 0–100, A's 101–150, B's own from 151", () => {
    expect(effectiveSegments(chain)).toEqual([
      { runId: 1, lo: -1, hi: 100 },
      { runId: 2, lo: 100, hi: 150 },
      { runId: 3, lo: 150, hi: Number.MAX_SAFE_INTEGER },
    ]);
  });
});

describe("fork resolution", () => {
  it("walks up to the ancestor that owns the step", () => {
    expect(resolveForkOwner(chain, 151).id).toBe(3);
    expect(resolveForkOwner(chain, 150).id).toBe(2);
    expect(resolveForkOwner(chain, 101).id).toBe(2);
    expect(resolveForkOwner(chain, 100).id).toBe(1);
    expect(resolveForkOwner(chain, 0).id).toBe(1);
  });

  it("the effective max step follows the segments", () => {
    expect(effectiveMaxStep(chain)).toBe(300);
    expect(effectiveMaxStep([chain[0]!, chain[1]!])).toBe(180);
    expect(effectiveMaxStep([chain[0]!, node(2, 100, null, 1)])).toBe(100);
    expect(effectiveMaxStep([node(1, null, null, 0)])).toBeNull();
  });
});

describe("inheritance", () => {
  it("config: parent's keys with the request's laid over (shallow; resume's deep merge is tested on the database)", () => {
    expect(shallowOverlay({ a: 1, nested: { x: 1, y: 2 } }, { nested: { x: 9 }, b: 2 })).toEqual({ a: 1, nested: { x: 9 }, b: 2 });
  });

  it("tags: parent's then request's, deduplicated, last group: tag kept", () => {
    expect(inheritTags(["a", "group:p", "b"], ["b", "c", "group:r"])).toEqual(["a", "b", "c", "group:r"]);
    expect(inheritTags(["a"], ["a"])).toEqual(["a"]);
  });
});
