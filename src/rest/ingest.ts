import { Response } from "@whatwg-node/fetch";
import { AUTH_FAILURE_MESSAGES } from "../domain/api-keys.js";
import type { Authenticator } from "../domain/key-cache.js";
import { appendLogLines, type LogLineInput } from "../domain/console-logs.js";
import { DomainError } from "../domain/errors.js";
import { LIMITS } from "../domain/limits.js";
import { logMetrics, type MetricPointInput } from "../domain/log-metrics.js";
import { isJsonObject } from "../domain/json-merge.js";
import { isStorableTime } from "../domain/validate.js";
import { createContext } from "../graphql/context.js";
import { announceMetricsLogged } from "../graphql/publish.js";
import { json, tooManyRequests } from "./responses.js";
import { NdjsonError, parseNdjson } from "./ndjson.js";
import { plutoMessage, type RouteServices } from "./pluto-routes.js";

// Pluto's ingest service (pluto-wire.md, /ingest/metrics and /ingest/logs): NDJSON bodies
// for the run named by X-Run-Id. A body is stored whole or not at all (Pluto keeps the
// lines before a bad one); sending it again replaces the same points and adds no line
// twice. Every failure answers Pluto's 422 PROCESSING_FAILED, naming the line.

function fail(kind: "metrics" | "logs", message: string): Response {
  return json(422, { code: "PROCESSING_FAILED", message: `Failed to process ${kind} stream: ${message}` });
}

function checkKeys(v: Record<string, unknown>, allowed: readonly string[], line: number) {
  const extra = Object.keys(v).find((k) => !allowed.includes(k));
  if (extra) throw new NdjsonError(line, `unknown field "${extra}"`);
}

const TIME_MESSAGE = "time must be epoch milliseconds, in the years 1 to 9999";

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function metricLine(v: unknown, line: number): MetricPointInput[] {
  if (!isJsonObject(v)) throw new NdjsonError(line, "expected an object");
  checkKeys(v, ["time", "step", "data"], line);
  if (!isCount(v.time) || !isStorableTime(v.time)) throw new NdjsonError(line, TIME_MESSAGE);
  if (!isCount(v.step) || v.step > LIMITS.maxStep) throw new NdjsonError(line, "step must be an integer ≥ 0");
  if (!isJsonObject(v.data) || Object.keys(v.data).length === 0) throw new NdjsonError(line, "data must be a non-empty object");
  const time = new Date(v.time);
  const points: MetricPointInput[] = [];
  for (const [name, value] of Object.entries(v.data)) {
    if (name === "") throw new NdjsonError(line, "a metric name is empty");
    if (value === null) continue;
    if (typeof value !== "number") throw new NdjsonError(line, `"${name}" is not a number`);
    points.push({ name, step: v.step, value, time });
  }
  return points;
}

function logLine(v: unknown, line: number): LogLineInput {
  if (!isJsonObject(v)) throw new NdjsonError(line, "expected an object");
  checkKeys(v, ["time", "message", "lineNumber", "logType"], line);
  if (!isCount(v.time) || !isStorableTime(v.time)) throw new NdjsonError(line, TIME_MESSAGE);
  if (typeof v.message !== "string") throw new NdjsonError(line, "message must be a string");
  if (!isCount(v.lineNumber)) throw new NdjsonError(line, "lineNumber must be an integer ≥ 0");
  if (typeof v.logType !== "string" || v.logType === "") throw new NdjsonError(line, "logType must be INFO or ERROR");
  return { time: new Date(v.time), message: v.message, lineNumber: v.lineNumber, stream: v.logType === "ERROR" ? "STDERR" : "STDOUT" };
}

export function ingestRoute(kind: "metrics" | "logs", services: RouteServices, authenticator: Pick<Authenticator, "authenticate">) {
  return async (request: Request): Promise<Response> => {
    const auth = await authenticator.authenticate(request.headers.get("authorization"));
    if (!auth.ok) return fail(kind, `InvalidToken (1002 - Authentication Error): ${AUTH_FAILURE_MESSAGES[auth.failure] ?? "Unauthorized"}`);
    const wait = services.rateLimiter?.take(auth.caller.apiKeyId) ?? 0;
    if (wait > 0) return tooManyRequests(wait);
    const runHeader = request.headers.get("x-run-id") ?? "";
    if (!/^\d{1,10}$/.test(runHeader) || Number(runHeader) > 2_147_483_647) return fail(kind, "X-Run-Id must be a run id");
    if (!request.headers.get("x-project-name")) return fail(kind, "X-Project-Name is required");
    const runId = Number(runHeader);
    const organizationId = auth.caller.organizationId;
    try {
      const body = await request.text();
      let records: number;
      if (kind === "metrics") {
        const points = parseNdjson(body, metricLine).flat();
        if (points.length > LIMITS.pointsPerCall) return fail(kind, `at most ${LIMITS.pointsPerCall} points per body (got ${points.length})`);
        if (points.length) {
          const r = await logMetrics(services.sql, organizationId, { runId, points });
          if (r.accepted > 0) announceMetricsLogged(createContext(services, auth.caller, null), runId, r.names, r.accepted, r.maxStep);
        }
        records = points.length;
      } else {
        const lines = parseNdjson(body, logLine);
        if (lines.length) await appendLogLines(services.sql, organizationId, runId, lines);
        records = lines.length;
      }
      return new Response(`Stream processed successfully: ${records} records`, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
    } catch (e) {
      if (e instanceof NdjsonError) return fail(kind, e.message);
      if (e instanceof DomainError) return fail(kind, plutoMessage(e));
      throw e;
    }
  };
}
