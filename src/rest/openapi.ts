import { z } from "zod";
import { CreateRunBody, CreateRunResponse, ErrorBody } from "./create-run-body.js";

// GET /api/openapi.json, generated from the schemas the handler validates with.

const schema = (s: z.ZodType) => z.toJSONSchema(s, { target: "openapi-3.0", unrepresentable: "any" });

const errorExample = (error: string, message?: string) => ({ value: message ? { error, message } : { error } });

export function openApiDocument(serverUrl: string) {
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
            "500": {
              description: "Unexpected failure; nothing internal is disclosed",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Error" }, examples: { internal: errorExample("Internal Server Error") } } },
            },
          },
        },
      },
    },
  };
}
