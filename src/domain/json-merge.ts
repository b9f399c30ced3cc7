export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Resume: the request's config laid into the stored one, recursively for nested objects. */
export function deepMerge(base: unknown, patch: JsonObject): JsonObject {
  const out: JsonObject = isJsonObject(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isJsonObject(v) && isJsonObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

/** Fork inheritance: the parent's config with the request's top-level keys laid over it. */
export function shallowOverlay(base: unknown, patch: JsonObject | null | undefined): JsonObject | null {
  if (!isJsonObject(base)) return patch ?? null;
  return { ...base, ...(patch ?? {}) };
}
