import { Response } from "@whatwg-node/fetch";
import { AUTH_FAILURE_MESSAGES, type AuthFailure } from "../domain/api-keys.js";
import { retryAfterSeconds } from "../domain/rate-limit.js";
import { UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_SECONDS } from "../db/unavailable.js";

// Yoga's own Response (the @whatwg-node ponyfill): the server writes its string body
// directly. Node's built-in Response wraps every body in a web stream, a tenth of the create
// path's CPU on Node 20.

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

/** Pluto's five 401 bodies. */
export function unauthorized(failure: AuthFailure): Response {
  const message = AUTH_FAILURE_MESSAGES[failure];
  return json(401, message ? { error: "Unauthorized", message } : { error: "Unauthorized" });
}

export const badRequest = (error: string, extra: object = {}) => json(400, { error, ...extra });

export const internalError = () => json(500, { error: "Internal Server Error" });

/** 429 with Retry-After: Pluto's SDK retries these with backoff. */
export function tooManyRequests(waitMs: number, key: "error" | "detail" = "error"): Response {
  const seconds = retryAfterSeconds(waitMs);
  const message = `Rate limit exceeded for this API key: retry after ${seconds} s.`;
  return json(429, key === "error" ? { error: "Too Many Requests", message } : { detail: message }, { "retry-after": String(seconds) });
}

/** 503 with Retry-After while the database cannot be reached; the SDK retries 5xx. */
export function serviceUnavailable(key: "error" | "detail" = "error"): Response {
  const retryAfter = { "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
  return json(503, key === "error" ? { error: "Service Unavailable", message: UNAVAILABLE_MESSAGE } : { detail: UNAVAILABLE_MESSAGE }, retryAfter);
}
