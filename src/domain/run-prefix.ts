// The run prefix of a project (run-model.md, "Run prefix"): fixed when the project is
// created, never recomputed.

const SEPARATORS = /[-_.\s]+/u;

export function runPrefix(projectName: string): string {
  const parts = projectName.split(SEPARATORS).filter((p) => p.length > 0).map((p) => Array.from(p));
  if (parts.length === 0) return "RUN";
  if (parts.length === 1) return parts[0]!.slice(0, 3).join("").toUpperCase();

  const initials = parts.map((p) => p[0]!);
  if (initials.length < 3) {
    const needed = 3 - initials.length;
    initials[initials.length - 1] = parts[parts.length - 1]!.slice(0, needed + 1).join("");
  }
  return Array.from(initials.join("")).slice(0, 4).join("").toUpperCase();
}
