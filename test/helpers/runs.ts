import { expect } from "vitest";
import type { TestOrg } from "./test-app.js";
import { CREATE_RUN, FORK_RUN, LOG_METRICS } from "./operations.js";

/** Creates a run and fails the test if it does not succeed. */
export async function createRunOk(org: TestOrg, input: Record<string, unknown>) {
  const res = await org.gql(CREATE_RUN, { input: { name: "run", projectName: "proj", ...input } });
  expect(res.errors).toBeUndefined();
  expect(res.data.createRun.__typename, JSON.stringify(res.data.createRun)).toBe("CreateRunSuccess");
  return res.data.createRun as { resumed: boolean; run: any };
}

export async function forkRunOk(org: TestOrg, input: Record<string, unknown>) {
  const res = await org.gql(FORK_RUN, { input });
  expect(res.errors).toBeUndefined();
  expect(res.data.forkRun.__typename, JSON.stringify(res.data.forkRun)).toBe("ForkRunSuccess");
  return res.data.forkRun.run as any;
}

/** Logs `name` at the given steps with value = f(step). */
export async function logSteps(org: TestOrg, runId: number, name: string, steps: number[], f: (s: number) => number | string = (s) => s) {
  const res = await org.gql(LOG_METRICS, { input: { runId, points: steps.map((step) => ({ name, step, value: f(step) })) } });
  expect(res.errors).toBeUndefined();
  expect(res.data.logMetrics.__typename, JSON.stringify(res.data.logMetrics)).toBe("LogMetricsSuccess");
  return res.data.logMetrics.accepted as number;
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
