import { builder } from "../builder.js";
import { orgId } from "../context.js";

export const Organization = builder.prismaNode("Organization", {
  id: { field: "id" },
  // Select mode, so that a selection the caller's cached identity answers can be told apart.
  select: { id: true },
  // Another organization's id reads as "not found", never as an error.
  nullable: true,
  // A global id only ever finds the caller's own organization.
  findUnique: (id, ctx) => ({ id: Number(id) === orgId(ctx) ? orgId(ctx) : -1 }),
  fields: (t) => ({
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    runLimit: t.exposeInt("runLimit", { nullable: true }),
    // Implied by the relation; there so Prisma's grouped count reads this organization's
    // runs, not every run in the table (see Run.forks).
    runCount: t.relationCount("runs", { where: (_args, ctx) => ({ organizationId: orgId(ctx) }) }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const Viewer = builder.objectRef<{ apiKeyName: string | null }>("Viewer").implement({
  fields: (t) => ({ apiKeyName: t.exposeString("apiKeyName", { nullable: true }) }),
});

// What the authenticated caller already knows of its organization, kept fresh by the key
// cache (a change to the organization drops its keys' entries).
const CALLER_HOLDS = new Set(["id", "slug", "name"]);

builder.objectField(Viewer, "organization", (t) =>
  t.prismaField({
    type: Organization,
    resolve: (query, _viewer, _args, ctx) => {
      const caller = ctx.caller!;
      const select = (query as { select?: Record<string, unknown> }).select;
      // The most common query of all (who am I) needs no statement.
      if (select && Object.entries(select).every(([k, v]) => v === true && CALLER_HOLDS.has(k))) {
        return { id: caller.organizationId, slug: caller.organizationSlug, name: caller.organizationName } as never;
      }
      return ctx.prisma.organization.findUniqueOrThrow({ ...query, where: { id: orgId(ctx) } });
    },
  }),
);

builder.queryField("viewer", (t) =>
  t.field({
    type: Viewer,
    description: "The caller: its organization and the name of the API key in use.",
    resolve: (_root, _args, ctx) => ({ apiKeyName: ctx.caller?.apiKeyName ?? null }),
  }),
);
