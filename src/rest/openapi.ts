import { z } from "zod";
import { CreateRunBody, CreateRunResponse, ErrorBody } from "./create-run-body.js";

// GET /api/openapi.json, generated from the schemas the handler validates with.

const schema = (s: z.ZodType) => z.toJSONSchema(s, { target: "openapi-3.0", unrepresentable: "any" });

const errorExample = (error: string, message?: string) => ({ value: message ? { error, message } : { error } });

/** What the document says of a lifecycle route (src/rest/routes.ts builds its table from these). */
export interface RouteDoc {
  method: "GET" | "POST";
  /** OpenAPI path; "{x}" is one path segment. */
  path: string;
  /** Where Pluto serves it: api routes answer {error}, py routes (FastAPI) {detail}. */
  service: "api" | "py";
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** 200 body; `{"success": true}` when absent. */
  response?: z.ZodType;
  errors?: (400 | 404 | 409)[];
  notImplemented?: boolean;
}

const ERROR_MEANING: Record<number, string> = {
  400: "Invalid body or parameters",
  401: "Missing or refused API key",
  404: "Run not found (in the key's organization)",
  409: "Display id matches runs in several projects",
  429: "Over this API key's rate; Retry-After gives the seconds to wait",
  500: "Unexpected failure; nothing internal is disclosed",
  503: "The database is unavailable; Retry-After gives the seconds to wait",
};

const Success = z.object({ success: z.literal(true) });
const PyError = z.object({ detail: z.string() });
const IngestError = z.object({ code: z.literal("PROCESSING_FAILED"), message: z.string().describe("names the bad line; nothing of the body was stored") });

function routeOperation(r: RouteDoc) {
  const errorSchema = r.service === "py" ? schema(PyError) : { $ref: "#/components/schemas/Error" };
  const errorResponse = (code: number) => [String(code), { description: ERROR_MEANING[code], content: { "application/json": { schema: errorSchema } } }] as const;
  const responses = r.notImplemented
    ? { "501": { description: "Not implemented by this gateway yet", content: { "application/json": { schema: errorSchema } } } }
    : {
        "200": { description: "Done", content: { "application/json": { schema: schema(r.response ?? Success) } } },
        ...Object.fromEntries([...(r.errors ?? []), 401, 429, 500, 503].map(errorResponse)),
      };
  const pathParams = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
  const queryParams = r.query
    ? Object.entries(r.query.shape).map(([name, field]) => ({ name, in: "query", required: !(field as z.ZodType).safeParse(undefined).success, schema: schema(field as z.ZodType) }))
    : [];
  return {
    operationId: r.path.replace(/^\//, "").replace(/[/{}-]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : "")),
    summary: r.summary,
    ...(pathParams.length || queryParams.length ? { parameters: [...pathParams, ...queryParams] } : {}),
    ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(r.body) } } } } : {}),
    responses,
  };
}

function ingestOperation(kind: "metrics" | "logs") {
  const line =
    kind === "metrics"
      ? '{"time": 1732270000123, "step": 3, "data": {"train/loss": 0.41, "train/acc": NaN}}'
      : '{"time": 1732270000123, "message": "epoch 1", "lineNumber": 1, "logType": "INFO"}';
  return {
    operationId: kind === "metrics" ? "ingestMetrics" : "ingestLogs",
    summary: kind === "metrics" ? "Metric points as NDJSON (bare NaN/Infinity accepted)" : "Console lines as NDJSON (INFO: stdout, ERROR: stderr)",
    description: "Stored whole or not at all; sending a body again stores nothing twice.",
    parameters: [
      { name: "X-Run-Id", in: "header", required: true, schema: { type: "string", pattern: "^\\d+$" } },
      { name: "X-Project-Name", in: "header", required: true, schema: { type: "string" } },
    ],
    requestBody: { required: true, content: { "application/x-ndjson": { schema: { type: "string" }, example: `${line}\n` } } },
    responses: {
      "200": { description: "Stored", content: { "text/plain": { schema: { type: "string", example: "Stream processed successfully: 2 records" } } } },
      "422": { description: "Any failure, authentication included (Pluto's wrapping)", content: { "application/json": { schema: schema(IngestError) } } },
      ...Object.fromEntries(
        [429, 500, 503].map((code) => [String(code), { description: ERROR_MEANING[code], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]),
      ),
    },
  };
}

export function openApiDocument(serverUrl: string, routes: readonly RouteDoc[] = []) {
  const lifecycle: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (lifecycle[r.path] ??= {})[r.method.toLowerCase()] = routeOperation(r);
  return {
    openapi: "3.0.3",
    info: {
      title: "ML run gateway: Pluto-compatible REST",
      version: "1.0.0",
      description: "The REST routes existing Pluto clients call. Everything here is also in the GraphQL API at /graphql.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "API key: mlps_ followed by at least 32 base62 characters" } },
      schemas: {
        CreateRunRequest: schema(CreateRunBody),
        CreateRunResponse: schema(CreateRunResponse),
        Error: schema(ErrorBody),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      ...lifecycle,
      "/ingest/metrics": { post: ingestOperation("metrics") },
      "/ingest/logs": { post: ingestOperation("logs") },
      "/api/runs/create": {
        post: {
          operationId: "createRun",
          summary: "Create a run, resume it by externalId, or fork another run",
          description:
            "Checks run in this order: authentication (401), body shape (400), group tags and JSON strings (400), " +
            "then resume by externalId, fork (400 when the parent or step is wrong), the organization's run limit (400). " +
            "A rejected request writes nothing.",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CreateRunRequest" } } } },
          responses: {
            "200": {
              description: "The created or resumed run",
              content: { "application/json": { schema: { $ref: "#/components/schemas/CreateRunResponse" } } },
            },
            "400": {
              description: "Invalid request",
              content: {
                "application/json": {
                  schema: { $ref: "#/components/schemas/Error" },
                  examples: {
                    field: errorExample("runName: expected string, received undefined"),
                    groupTags: errorExample("A run can have at most one group:* tag."),
                    jsonString: errorExample("Invalid JSON format in request body"),
                    forkStepMissing: errorExample("forkStep is required when forkRunId is provided"),
                    forkParent: errorExample("Fork parent run not found in this project"),
                    forkStepTooLarge: errorExample("forkStep (X) exceeds the parent run's max step (Y)"),
                    limit: errorExample("Organization is at limit"),
                  },
                },
              },
            },
            "401": {
              description: "Missing or refused API key",
              content: {
                "application/json": {
                  schema: { $ref: "#/components/schemas/Error" },
                  examples: {
                    missing: errorExample("Unauthorized"),
                    malformed: errorExample("Unauthorized", "Invalid API key"),
                    unknown: errorExample("Unauthorized", "Key not found"),
                    expired: errorExample("Unauthorized", "API key has expired"),
                    revoked: errorExample("Unauthorized", "API key has been revoked"),
                  },
                },
              },
            },
            "429": { description: ERROR_MEANING[429], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
            "500": {
              description: ERROR_MEANING[500],
              content: { "application/json": { schema: { $ref: "#/components/schemas/Error" }, examples: { internal: errorExample("Internal Server Error") } } },
            },
            "503": { description: ERROR_MEANING[503], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          },
        },
      },
    },
  };
}
