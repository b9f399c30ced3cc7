import { ValidationError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { containsUnstorableText } from "./validate.js";

const GROUP = "group:";

export const GROUP_TAG_MESSAGE = "A run can have at most one group:* tag.";

export function groupTags(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith(GROUP));
}

/** The run group a tag list names, if any. */
export function runGroupFromTags(tags: readonly string[]): string | null {
  const g = groupTags(tags)[0];
  return g === undefined ? null : g.slice(GROUP.length);
}

/** Checks a tag list as a run would store it; throws a ValidationError naming `path`. */
export function validateTags(tags: readonly string[], path: string[]): void {
  if (tags.length > LIMITS.tags) {
    throw ValidationError.field(path, `${path.at(-1)} has ${tags.length} entries; a run can have at most ${LIMITS.tags} tags.`);
  }
  tags.forEach((t, i) => {
    if (t.trim().length === 0 || t.length > LIMITS.tagLength || containsUnstorableText(t)) {
      throw ValidationError.field([...path, String(i)], `Each tag must be 1 to ${LIMITS.tagLength} characters, not blank, without NUL or unpaired surrogates.`);
    }
  });
  if (groupTags(tags).length > 1) throw ValidationError.field(path, GROUP_TAG_MESSAGE);
}

export function dedupe(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

/**
 * Fork tag inheritance: the parent's tags, then the request's, duplicates removed; of
 * several `group:` tags the last one is kept.
 */
export function inheritTags(parentTags: readonly string[], requested: readonly string[]): string[] {
  const merged = dedupe([...parentTags, ...requested]);
  const groups = groupTags(merged);
  if (groups.length <= 1) return merged;
  const keep = groups[groups.length - 1];
  return merged.filter((t) => !t.startsWith(GROUP) || t === keep);
}
