import { describe, expect, it } from "vitest";
import { RUN_STATES, decideTransition, normalizeState, type RunStateName } from "../src/domain/run-state.js";

const TERMINAL: RunStateName[] = ["COMPLETED", "FAILED", "TERMINATED", "CANCELLED", "SKIPPED"];
const BY_SEVERITY: RunStateName[] = ["SKIPPED", "COMPLETED", "TERMINATED", "CANCELLED", "FAILED"];

describe("state names of the three source models", () => {
  it.each([
    ["SUCCEEDED", "COMPLETED"],
    ["SUCCESS", "COMPLETED"],
    ["CANCELED", "CANCELLED"],
    ["STARTED", "RUNNING"],
    ["FAILURE", "FAILED"],
    ["running", "RUNNING"],
    ["Paused", "PAUSED"],
    ["nonsense", null],
  ])("%s → %s", (from, to) => expect(normalizeState(from)).toBe(to));
  it("maps every state name to itself", () => {
    for (const s of RUN_STATES) expect(normalizeState(s)).toBe(s);
  });
});

describe("transitions", () => {
  it("a write of the current state changes nothing", () => {
    for (const s of RUN_STATES) expect(decideTransition(s, s, "API").kind).toBe("unchanged");
  });

  it("between terminal states only a more severe report wins", () => {
    for (const [i, from] of BY_SEVERITY.entries()) {
      for (const [j, to] of BY_SEVERITY.entries()) {
        if (i === j) continue;
        expect(decideTransition(from, to, "API").kind, `${from} → ${to}`).toBe(j > i ? "apply" : "superseded");
      }
    }
  });

  it("a terminal run returns to RUNNING only by resume or an operator", () => {
    for (const from of TERMINAL) {
      expect(decideTransition(from, "RUNNING", "API").kind).toBe("invalid");
      expect(decideTransition(from, "PENDING", "API").kind).toBe("invalid");
      expect(decideTransition(from, "RUNNING", "RESUME").kind).toBe("apply");
      expect(decideTransition(from, "RUNNING", "OPERATOR").kind).toBe("apply");
    }
  });

  it("CANCELING ends only in COMPLETED, FAILED or CANCELLED", () => {
    for (const to of RUN_STATES) {
      if (to === "CANCELING") continue;
      const allowed = ["COMPLETED", "FAILED", "CANCELLED"].includes(to);
      expect(decideTransition("CANCELING", to, "API").kind, to).toBe(allowed ? "apply" : "invalid");
    }
  });

  it("non-terminal states move freely", () => {
    expect(decideTransition("PENDING", "RUNNING", "API").kind).toBe("apply");
    expect(decideTransition("RUNNING", "PAUSED", "API").kind).toBe("apply");
    expect(decideTransition("PAUSED", "RUNNING", "API").kind).toBe("apply");
    expect(decideTransition("RUNNING", "CANCELING", "API").kind).toBe("apply");
    expect(decideTransition("RUNNING", "FAILED", "API").kind).toBe("apply");
  });
});
