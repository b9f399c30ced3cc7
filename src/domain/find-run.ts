import type { Prisma } from "../generated/prisma/client.js";
import { parseDisplayId } from "./display-id.js";
import { AmbiguousError, ValidationError } from "./errors.js";
import { containsUnstorableText, NUL_MESSAGE } from "./validate.js";

export interface RunLocator {
  runId?: number | null;
  displayId?: string | null;
  externalId?: string | null;
  projectName?: string | null;
}

/**
 * The Prisma filter that finds one run of the organization from any of its identities.
 * A display ID without a project is resolved across projects by prefix, and more than one
 * match is reported, never guessed (`candidates` gives the matching projects).
 */
export function runLocatorWhere(organizationId: number, loc: RunLocator): Prisma.RunWhereInput {
  // PostgreSQL refuses NUL in text, even in a comparison: say so instead of failing.
  for (const field of ["displayId", "externalId", "projectName"] as const) {
    if (containsUnstorableText(loc[field])) throw ValidationError.field([field], `${field} ${NUL_MESSAGE}.`);
  }
  const where: Prisma.RunWhereInput = { organizationId };
  if (loc.runId != null) where.id = loc.runId;
  if (loc.projectName != null) where.project = { name: loc.projectName };
  if (loc.externalId != null) {
    if (loc.projectName == null) throw ValidationError.field(["projectName"], "projectName is required with externalId.");
    where.externalId = loc.externalId;
  }
  if (loc.displayId != null) {
    const parsed = parseDisplayId(loc.displayId);
    if (!parsed) throw ValidationError.field(["displayId"], `"${loc.displayId}" is not a display ID (PREFIX-NUMBER).`);
    where.number = parsed.number;
    where.project = { ...(where.project as object), runPrefix: parsed.prefix };
  }
  if (loc.runId == null && loc.externalId == null && loc.displayId == null) {
    throw ValidationError.field([], "Give one of id, runId, displayId or externalId.");
  }
  return where;
}

export function ambiguousDisplayId(displayId: string, projects: string[]): AmbiguousError {
  return new AmbiguousError(
    // Pluto's wording ("displayId '…' is ambiguous…"), which its clients show as is.
    `displayId '${displayId}' is ambiguous: it matches runs in several projects (${projects.join(", ")}); give projectName.`,
    projects,
  );
}
