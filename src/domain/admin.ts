import type { PrismaClient } from "../generated/prisma/client.js";
import { createApiKey } from "./api-keys.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { formatDisplayId } from "./display-id.js";
import { findRunOrThrow } from "./run-lifecycle.js";
import { metricSummariesOfRuns } from "./metric-history.js";

// What an operator does from the command line (src/cli.ts): organizations, their keys,
// and a look at one run. The rules live here so that a future admin API shares them.

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function createOrganization(prisma: PrismaClient, opts: { slug: string; name?: string; runLimit?: number | null }) {
  if (!SLUG.test(opts.slug)) {
    throw ValidationError.field(["slug"], "An organization slug is lowercase letters, digits and '-', at most 63, not starting with '-'.");
  }
  if (opts.runLimit != null && (!Number.isInteger(opts.runLimit) || opts.runLimit < 0)) {
    throw ValidationError.field(["runLimit"], "The run limit is a whole number ≥ 0.");
  }
  if (await prisma.organization.findUnique({ where: { slug: opts.slug } })) {
    throw ValidationError.field(["slug"], `Organization "${opts.slug}" already exists.`);
  }
  return prisma.organization.create({ data: { slug: opts.slug, name: opts.name ?? opts.slug, runLimit: opts.runLimit ?? null } });
}

export async function listOrganizations(prisma: PrismaClient) {
  const orgs = await prisma.organization.findMany({ orderBy: { id: "asc" }, include: { _count: { select: { runs: true, projects: true } } } });
  return orgs.map((o) => ({ slug: o.slug, name: o.name, runLimit: o.runLimit, projects: o._count.projects, runs: o._count.runs, createdAt: o.createdAt }));
}

async function organizationBySlug(prisma: PrismaClient, slug: string) {
  const org = await prisma.organization.findUnique({ where: { slug } });
  if (!org) throw new NotFoundError(`Organization "${slug}" not found.`, "Organization");
  return org;
}

/** A new key for the organization; its secret is returned here and never again. */
export async function createKey(prisma: PrismaClient, opts: { org: string; name: string; expiresAt?: Date | null }) {
  const org = await organizationBySlug(prisma, opts.org);
  if (opts.expiresAt && Number.isNaN(opts.expiresAt.getTime())) {
    throw ValidationError.field(["expiresAt"], "The expiry is an ISO 8601 date and time.");
  }
  return createApiKey(prisma, org.id, { name: opts.name, expiresAt: opts.expiresAt ?? null });
}

export async function listKeys(prisma: PrismaClient, orgSlug: string) {
  const org = await organizationBySlug(prisma, orgSlug);
  const keys = await prisma.apiKey.findMany({ where: { organizationId: org.id }, orderBy: { id: "asc" } });
  return keys.map((k) => ({
    id: k.id,
    name: k.name,
    preview: k.preview,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
  }));
}

/** Revokes at once on every replica (the api_keys trigger notifies their key caches). */
export async function revokeKey(prisma: PrismaClient, id: number) {
  const key = await prisma.apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError(`API key ${id} not found.`, "ApiKey");
  if (key.revokedAt) return { id, revokedAt: key.revokedAt, already: true };
  const row = await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  return { id, revokedAt: row.revokedAt!, already: false };
}

/** One run by display id, with its lineage and metric summaries, as an operator reads it. */
export async function showRun(prisma: PrismaClient, opts: { org: string; displayId: string; projectName?: string | null }) {
  const org = await organizationBySlug(prisma, opts.org);
  const found = await findRunOrThrow(prisma, org.id, { displayId: opts.displayId, projectName: opts.projectName }).catch((e: unknown) => {
    throw e instanceof NotFoundError ? new NotFoundError(`Run ${opts.displayId} not found in organization "${opts.org}".`, "Run") : e;
  });
  const run = await prisma.run.findUniqueOrThrow({
    where: { id: found.id },
    include: { project: { select: { name: true, runPrefix: true } }, forkedFrom: { select: { number: true, project: { select: { runPrefix: true } } } } },
  });
  const metrics = (await metricSummariesOfRuns(prisma, org.id, [run.id])).get(run.id) ?? [];
  return {
    runId: run.id,
    displayId: formatDisplayId(run.project.runPrefix, run.number),
    project: run.project.name,
    name: run.name,
    state: run.state,
    externalId: run.externalId,
    tags: run.tags,
    createdAt: run.createdAt,
    forkedFrom: run.forkedFrom ? formatDisplayId(run.forkedFrom.project.runPrefix, run.forkedFrom.number) : null,
    forkStep: run.forkStep == null ? null : Number(run.forkStep),
    config: run.config,
    metrics,
  };
}
