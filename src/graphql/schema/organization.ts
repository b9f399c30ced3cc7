import { builder } from "../builder.js";
import { orgId } from "../context.js";

export const Organization = builder.prismaNode("Organization", {
  id: { field: "id" },
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

builder.objectField(Viewer, "organization", (t) =>
  t.prismaField({
    type: Organization,
    resolve: (query, _viewer, _args, ctx) => ctx.prisma.organization.findUniqueOrThrow({ ...query, where: { id: orgId(ctx) } }),
  }),
);

builder.queryField("viewer", (t) =>
  t.field({
    type: Viewer,
    description: "The caller: its organization and the name of the API key in use.",
    resolve: (_root, _args, ctx) => ({ apiKeyName: ctx.caller?.apiKeyName ?? null }),
  }),
);
