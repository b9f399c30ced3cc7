import type { Caller } from "../domain/api-keys.js";
import { isJsonObject, type JsonObject } from "../domain/json-merge.js";
import { GROUP_TAG_MESSAGE, groupTags } from "../domain/tags.js";
import { CreateRunBody, describeIssues, type CreateRunBody as Body } from "./create-run-body.js";
import { badRequest, json } from "./responses.js";
import { DatabaseUnavailableError, UNAVAILABLE_CODE } from "../db/unavailable.js";
import type { ExecuteOperation } from "./routes.js";

// POST /api/runs/create, as Pluto answers it (rest-contract.md). Thin: validates the body,
// then runs the createRun mutation through the gateway's own GraphQL pipeline and maps its
// typed result. Every rule of the run model is the mutation's.

export const CREATE_RUN_OPERATION = /* GraphQL */ `
  mutation RestCreateRun($input: CreateRunInput!) {
    createRun(input: $input) {
      __typename
      ... on CreateRunSuccess { resumed run { runId number displayId url forkStep forkedFrom { runId } } }
      ... on Error { message }
    }
  }
`;

export const INVALID_JSON_STRING = "Invalid JSON format in request body";

class BadJsonString extends Error {}

/** A JSON document carried in a string; "null" (or null) means null. */
function parseJsonString(field: string, value: string | null | undefined): JsonObject | null {
  if (value == null || value === "null") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new BadJsonString(INVALID_JSON_STRING);
  }
  if (parsed === null) return null;
  if (!isJsonObject(parsed)) throw new BadJsonString(`${field} must hold a JSON object`);
  return parsed;
}

function toMutationInput(body: Body) {
  const forking = Boolean(body.forkRunId);
  return {
    projectName: body.projectName,
    name: body.runName,
    externalId: body.externalId ?? null,
    tags: body.tags ?? null,
    config: parseJsonString("config", body.config),
    systemMetadata: parseJsonString("systemMetadata", body.systemMetadata),
    loggerSettings: parseJsonString("loggerSettings", body.loggerSettings),
    createdAt: body.createdAt == null ? null : new Date(body.createdAt).toISOString(),
    updatedAt: body.updatedAt == null ? null : new Date(body.updatedAt).toISOString(),
    initialState: "RUNNING",
    fork: forking
      ? {
          parentRunId: body.forkRunId!,
          step: body.forkStep ?? null,
          inheritConfig: body.inheritConfig ?? true,
          inheritTags: body.inheritTags ?? false,
        }
      : null,
  };
}

interface CreateRunData {
  createRun:
    | {
        __typename: "CreateRunSuccess";
        resumed: boolean;
        run: { runId: number; number: number | null; displayId: string | null; url: string; forkStep: number | null; forkedFrom: { runId: number } | null };
      }
    | { __typename: string; message: string };
}

export async function handleCreateRun(request: Request, caller: Caller, execute: ExecuteOperation): Promise<Response> {
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    return badRequest("Request body must be a JSON object");
  }
  const parsed = CreateRunBody.safeParse(raw);
  if (!parsed.success) {
    const { error, issues } = describeIssues(parsed.error);
    return badRequest(error, { issues });
  }
  const body = parsed.data;
  // The contract checks the group rule before the JSON strings; the rule itself is the domain's.
  if (body.tags && groupTags(body.tags).length > 1) return badRequest(GROUP_TAG_MESSAGE);

  let input;
  try {
    input = toMutationInput(body);
  } catch (e) {
    if (e instanceof BadJsonString) return badRequest(e.message);
    throw e;
  }

  const result = await execute<CreateRunData>(CREATE_RUN_OPERATION, { input });
  const outcome = result.data?.createRun;
  if (!outcome || result.errors?.length) {
    if (result.errors?.some((e) => (e as { extensions?: { code?: string } }).extensions?.code === UNAVAILABLE_CODE)) throw new DatabaseUnavailableError();
    throw new Error(`createRun failed: ${JSON.stringify(result.errors)}`);
  }
  if (outcome.__typename !== "CreateRunSuccess" || !("run" in outcome)) {
    return badRequest((outcome as { message: string }).message);
  }
  const { run, resumed } = outcome;
  return json(200, {
    runId: run.runId,
    number: run.number,
    displayId: run.displayId,
    projectName: body.projectName,
    organizationSlug: caller.organizationSlug,
    url: run.url,
    resumed,
    forkedFromRunId: resumed ? null : (run.forkedFrom?.runId ?? null),
    forkStep: resumed ? null : run.forkStep,
  });
}
