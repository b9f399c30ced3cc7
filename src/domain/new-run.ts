import type { CreateRunInput } from "./create-run.js";
import { isTerminal } from "./run-state.js";
import { runGroupFromTags } from "./tags.js";

/**
 * What a new run derives from its input, whichever path writes it: the run group (a
 * `group:` tag wins), the initial state (RUNNING, as Pluto's clients expect) and the times
 * (backfilled or now; scheduled at creation; started or finished by the initial state).
 */
export function newRunDerived(input: CreateRunInput, tags: readonly string[]) {
  const createdAt = input.createdAt ?? new Date();
  const state = input.initialState ?? "RUNNING";
  return {
    runGroup: runGroupFromTags(tags) ?? input.runGroup ?? null,
    state,
    createdAt,
    updatedAt: input.updatedAt ?? createdAt,
    scheduledAt: input.scheduledAt ?? createdAt,
    stateUpdatedAt: createdAt,
    startedAt: state === "RUNNING" ? createdAt : null,
    finishedAt: isTerminal(state) ? createdAt : null,
  };
}

/** The config a resume merges into the stored one, or null when there is nothing to merge. */
export function resumeConfigPatch(input: CreateRunInput): string | null {
  return input.config && Object.keys(input.config).length > 0 ? JSON.stringify(input.config) : null;
}
