export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Fork inheritance: the parent's config with the request's top-level keys laid over it. */
export function shallowOverlay(base: unknown, patch: JsonObject | null | undefined): JsonObject | null {
  if (!isJsonObject(base)) return patch ?? null;
  return { ...base, ...(patch ?? {}) };
}
