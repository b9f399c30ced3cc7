// The runtime state machine (run-model.md, "Runtime state" and "Transitions").

export const RUN_STATES = [
  "PENDING",
  "RUNNING",
  "PAUSED",
  "CANCELING",
  "COMPLETED",
  "FAILED",
  "TERMINATED",
  "CANCELLED",
  "SKIPPED",
] as const;
export type RunStateName = (typeof RUN_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<RunStateName> = new Set(["COMPLETED", "FAILED", "TERMINATED", "CANCELLED", "SKIPPED"]);

export function isTerminal(s: RunStateName): boolean {
  return TERMINAL_STATES.has(s);
}

/** Between terminal states, a report wins only if it is more severe. */
const SEVERITY: Record<string, number> = { FAILED: 5, CANCELLED: 4, TERMINATED: 3, COMPLETED: 2, SKIPPED: 1 };

const CANCELING_ENDS: ReadonlySet<RunStateName> = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

/** Names used by Kubeflow Pipelines and the decision-engine SDK, mapped onto ours. */
const ALIASES: Record<string, RunStateName> = {
  SUCCEEDED: "COMPLETED",
  SUCCESS: "COMPLETED",
  CANCELED: "CANCELLED",
  STARTED: "RUNNING",
  FAILURE: "FAILED",
};

/** Maps a state name from any of the three source models; null when unknown. */
export function normalizeState(name: string): RunStateName | null {
  const upper = name.trim().toUpperCase();
  if ((RUN_STATES as readonly string[]).includes(upper)) return upper as RunStateName;
  return ALIASES[upper] ?? null;
}

/** Who asks for a change. RESUME and OPERATOR may bring a terminal run back. */
export type StateSource = "API" | "RESUME" | "SYSTEM" | "OPERATOR" | (string & {});

export type TransitionDecision =
  | { kind: "apply" }
  /** Same state: nothing changes, nothing is recorded. */
  | { kind: "unchanged" }
  /** A less severe terminal report racing a more severe one: ignored, answered as success. */
  | { kind: "superseded" }
  | { kind: "invalid"; reason: string };

export function decideTransition(from: RunStateName, to: RunStateName, source: StateSource): TransitionDecision {
  if (from === to) return { kind: "unchanged" };
  if (source === "OPERATOR") return { kind: "apply" };
  if (isTerminal(from)) {
    if (isTerminal(to)) return SEVERITY[to]! > SEVERITY[from]! ? { kind: "apply" } : { kind: "superseded" };
    if (to === "RUNNING" && source === "RESUME") return { kind: "apply" };
    return {
      kind: "invalid",
      reason: `Run is ${from}; a finished run goes back to RUNNING only by resume or by an operator (force: true).`,
    };
  }
  if (from === "CANCELING" && !CANCELING_ENDS.has(to)) {
    return { kind: "invalid", reason: `A CANCELING run can only end in COMPLETED, FAILED or CANCELLED, not ${to}.` };
  }
  return { kind: "apply" };
}
