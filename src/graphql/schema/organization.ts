import { builder } from "../builder.js";
import { orgId } from "../context.js";

export const Organization = builder.prismaNode("Organization", {
  id: { field: "id" },
  // Select mode. The three columns the caller's cached identity holds are always read, and
  // their fields resolve as plain fields, so that identity answers them with no statement
  // (viewer.organization); a field that needs another column loads it by id.
  select: { id: true, slug: true, name: true },
  // Another organization's id reads as "not found", never as an error.
  nullable: true,
  // A global id only ever finds the caller's own organization.
  findUnique: (id, ctx) => ({ id: Number(id) === orgId(ctx) ? orgId(ctx) : -1 }),
  fields: (t) => ({
    slug: t.string({ resolve: (o) => o.slug }),
    name: t.string({ resolve: (o) => o.name }),
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
// cache (a change to the organization drops its keys' entries). The most common query of
// all (who am I) needs no statement; a field beyond these three is loaded by the Prisma
// plugin, by id, in one statement for all of them. A plain field, not a Prisma field: planning
// a Prisma query from the selection cost this query 6% of its CPU (bench/README.md).
builder.objectField(Viewer, "organization", (t) =>
  t.field({
    type: Organization,
    resolve: (_viewer, _args, ctx) => {
      const caller = ctx.caller!;
      return { id: caller.organizationId, slug: caller.organizationSlug, name: caller.organizationName } as never;
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
