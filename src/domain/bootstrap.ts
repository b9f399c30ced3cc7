import type { PrismaClient } from "../generated/prisma/client.js";
import { createApiKey } from "./api-keys.js";

export interface BootstrapResult {
  organizationSlug: string;
  /** The key in clear, only when this call generated it (to be printed once). */
  generatedKey: string | null;
  created: boolean;
}

/**
 * On an empty database: the organization BOOTSTRAP_ORG and an API key (BOOTSTRAP_API_KEY,
 * or a generated one). Does nothing once any organization exists.
 */
export async function bootstrap(prisma: PrismaClient, opts: { orgSlug: string; apiKey?: string }): Promise<BootstrapResult> {
  if ((await prisma.organization.count()) > 0) return { organizationSlug: opts.orgSlug, generatedKey: null, created: false };
  const org = await prisma.organization.create({ data: { slug: opts.orgSlug, name: opts.orgSlug } });
  const { key } = await createApiKey(prisma, org.id, { name: "bootstrap", key: opts.apiKey });
  return { organizationSlug: org.slug, generatedKey: opts.apiKey ? null : key, created: true };
}
