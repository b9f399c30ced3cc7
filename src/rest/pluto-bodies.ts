import { z } from "zod";
import { LOG_TYPES } from "../domain/log-names.js";
import { LIMITS } from "../domain/limits.js";
import { epochMs } from "./epoch-ms.js";
import { containsUnstorableText, NUL_MESSAGE } from "../domain/validate.js";

// Bodies of Pluto's lifecycle routes (pluto-wire.md §3). Each schema validates requests and
// feeds the OpenAPI document.

const runId = z.number().int().min(1).max(2_147_483_647);

export const ResumeBody = z
  .object({
    runId: runId.optional(),
    displayId: z.string().min(1).max(64).optional(),
    externalId: z.string().min(1).max(LIMITS.externalIdLength).optional(),
    projectName: z.string().min(1).max(LIMITS.projectNameLength).optional(),
  })
  .refine((b) => [b.runId, b.displayId, b.externalId].filter((v) => v !== undefined).length === 1, {
    message: "Provide exactly one of: runId, displayId, or externalId",
  })
  .describe("Resume a run by runId, displayId, or externalId with projectName");

export const PLUTO_STATUSES = ["RUNNING", "COMPLETED", "FAILED", "TERMINATED", "CANCELLED"] as const;

export const StatusUpdateBody = z.object({
  runId,
  status: z.enum(PLUTO_STATUSES),
  statusMetadata: z.string().nullish().describe("JSON object in a string (the teardown trace), or null"),
  statusUpdated: epochMs("statusUpdated").describe("epoch ms; accepted, the gateway records its own time"),
});

export const LogNameBody = z.object({
  runId,
  logName: z.array(z.string()).min(1),
  logType: z.enum(LOG_TYPES),
});

export const TagsBody = z.object({ runId, tags: z.array(z.string().max(LIMITS.tagLength)).max(LIMITS.tags) });

export const ConfigBody = z.object({ runId, config: z.string().describe("a JSON object in a string: the delta, deep-merged") });

export const NotesBody = z.object({ runId, notes: z.string().max(LIMITS.notesLength).nullable() });

export const TriggerBody = z.object({ runId });

export const AlertBody = z.object({
  runId,
  alert: z.object({
    timestamp: epochMs("timestamp"),
    level: z.string().min(1).max(LIMITS.shortTextLength),
    title: z.string().min(1).max(LIMITS.nameLength),
    body: z.string().max(LIMITS.notesLength * 10).default(""),
    email: z.boolean().nullish(),
    url: z.string().max(2048).nullish(),
  }),
});

export const SlugResponse = z.object({ organization: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }) });

export const TriggerResponse = z.object({ status: z.string().describe("the run's state; CANCELLED means stop"), triggers: z.null() });

export const AlertResponse = z.object({ status: z.literal("success") });

export const DetailsResponse = z.object({
  id: z.number().int(),
  name: z.string(),
  number: z.number().int().nullable(),
  displayId: z.string().nullable(),
  status: z.string(),
  tags: z.array(z.string()),
  config: z.unknown(),
  systemMetadata: z.unknown(),
  loggerSettings: z.unknown(),
  statusMetadata: z.unknown().describe("metadata of the latest state change"),
  createdAt: z.string(),
  updatedAt: z.string(),
  statusUpdated: z.string().nullable(),
  projectName: z.string(),
  externalId: z.string().nullable(),
  notes: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  logNames: z.array(z.object({ logName: z.string(), logType: z.enum(LOG_TYPES), logGroup: z.string().nullable() })).describe("at most 1000"),
  forkedFromRunId: z.number().int().nullable().optional().describe("by id only"),
  forkStep: z.number().int().nullable().optional().describe("by id only"),
});

export const ListResponse = z.object({
  runs: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      number: z.number().int().nullable(),
      displayId: z.string().nullable(),
      projectName: z.string(),
      status: z.string(),
      tags: z.array(z.string()),
      createdAt: z.string(),
    }),
  ),
  total: z.number().int(),
});

/** A name to look up: PostgreSQL refuses NUL in text, even in a comparison. */
const lookupName = (max: number) => z.string().min(1).max(max).refine((s) => !containsUnstorableText(s), NUL_MESSAGE);

export const MetricsQuery = z.object({
  runId: z.coerce.number().int().min(1).max(2_147_483_647),
  projectName: lookupName(LIMITS.projectNameLength),
  logName: lookupName(LIMITS.metricNameLength).optional(),
  logGroup: lookupName(LIMITS.metricNameLength).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(2000).describe("at most this many points in all, spread evenly over each metric's steps"),
});

export const MetricsResponse = z.object({
  metrics: z.array(
    z.object({
      logName: z.string(),
      logGroup: z.string(),
      time: z.string(),
      step: z.number().int(),
      value: z.number().nullable().describe("null for NaN and ±Infinity, which JSON cannot carry"),
    }),
  ),
});

export const ListQuery = z.object({
  projectName: z.string().min(1).max(LIMITS.projectNameLength),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  search: z.string().max(LIMITS.nameLength).optional(),
  tags: z.string().optional().describe("comma-separated; runs having any of them"),
  status: z.string().optional(),
  sort: z.string().regex(/^[-+]?(createdAt|updatedAt|name|number|status)$/, "sort is [-+]createdAt|updatedAt|name|number|status").optional(),
  filter: z.string().optional(),
});
