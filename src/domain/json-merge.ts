export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Fork inheritance: the parent's config with the request's top-level keys laid over it. */
export function shallowOverlay(base: unknown, patch: JsonObject | null | undefined): JsonObject | null {
  if (!isJsonObject(base)) return patch ?? null;
  return { ...base, ...(patch ?? {}) };
}

/** JSON equality as jsonb has it: object keys in any order, numbers by value. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
}

/**
 * Whether resume's deep merge (jsonb_deep_merge in SQL, which does the merging) would
 * change `base`: nested objects merge key by key, anything else is replaced.
 */
export function deepMergeChanges(base: unknown, patch: unknown): boolean {
  if (!isJsonObject(base) || !isJsonObject(patch)) return !jsonEqual(base, patch);
  return Object.entries(patch).some(([k, v]) => !(k in base) || deepMergeChanges(base[k], v));
}
