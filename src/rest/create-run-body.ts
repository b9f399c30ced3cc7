import { z } from "zod";
import { LIMITS } from "../domain/limits.js";
import { epochMs } from "./epoch-ms.js";

// The body of Pluto's POST /api/runs/create (rest-contract.md). One schema validates
// requests and generates the OpenAPI document, so the two cannot drift.

const jsonString = (field: string) =>
  z.string().nullish().describe(`${field} as a JSON document in a string; the string "null" means null`);

export const CreateRunBody = z
  .object({
    runName: z.string().min(1).max(LIMITS.nameLength),
    projectName: z.string().min(1).max(LIMITS.projectNameLength),
    externalId: z.string().min(1).max(LIMITS.externalIdLength).nullish().describe("resume key: a create with an existing one returns that run"),
    tags: z.array(z.string()).max(LIMITS.tags).nullish(),
    loggerSettings: jsonString("loggerSettings"),
    systemMetadata: jsonString("systemMetadata"),
    config: jsonString("config"),
    createdAt: epochMs("createdAt").describe("epoch milliseconds (backfill)"),
    updatedAt: epochMs("updatedAt").describe("epoch milliseconds (backfill)"),
    forkRunId: z.number().int().min(0).max(2_147_483_647).nullish().describe("parent run id; 0 or null means no fork"),
    forkStep: z.number().int().min(0).max(LIMITS.maxStep).nullish().describe("required with forkRunId"),
    inheritConfig: z.boolean().nullish().describe("default true"),
    inheritTags: z.boolean().nullish().describe("default false"),
  })
  .describe("Create a run, resume it by externalId, or fork another run");

export type CreateRunBody = z.infer<typeof CreateRunBody>;

export const CreateRunResponse = z.object({
  runId: z.number().int(),
  number: z.number().int().nullable(),
  displayId: z.string().nullable(),
  projectName: z.string(),
  organizationSlug: z.string(),
  url: z.string(),
  resumed: z.boolean(),
  forkedFromRunId: z.number().int().nullable(),
  forkStep: z.number().int().nullable(),
});

export const ErrorBody = z.object({
  error: z.string(),
  message: z.string().optional(),
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
});

/** "runName: expected string, received undefined" — the first problem, naming its field. */
export function describeIssues(error: z.ZodError): { error: string; issues: { path: (string | number)[]; message: string }[] } {
  const issues = error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message }));
  const first = issues[0]!;
  const field = first.path.length ? first.path.join(".") : "body";
  return { error: `${field}: ${first.message.replace(/^Invalid input: /, "")}`, issues };
}
