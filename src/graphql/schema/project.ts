import { builder } from "../builder.js";
import { orgId } from "../context.js";
import { usesMetrics } from "../../domain/run-query.js";
import { connectionOf, idPageOf } from "../cursor-pages.js";
import { selectsField, selectsNodeField } from "../selects.js";
import { checkRunList, Run, RunConnection, RunFilterInput, RunOrderInput } from "./run.js";
import { createGraphQLError } from "graphql-yoga";

export const Project = builder.prismaNode("Project", {
  id: { field: "id" },
  select: { id: true },
  // Another organization's id reads as "not found", never as an error.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), organizationId: orgId(ctx) }),
  fields: (t) => ({
    projectId: t.exposeInt("id"),
    name: t.exposeString("name"),
    runPrefix: t.exposeString("runPrefix"),
    tags: t.exposeStringList("tags"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    // Implied by the relation; there so Prisma's grouped count reads one organization's runs,
    // not every run in the table (see Run.forks).
    runCount: t.relationCount("runs", { where: (_args, ctx) => ({ organizationId: orgId(ctx) }) }),
    runs: t.connection(
      {
        type: Run,
        args: {
          filter: t.arg({ type: RunFilterInput }),
          orderBy: t.arg({ type: [RunOrderInput] }),
        },
        // One plain statement for the same page of every project of the request (run-list.ts).
        resolve: async (project, args, ctx, info) => {
          checkRunList(args.filter, args.orderBy);
          // Metric lists are sorted outside SQL (runs-by-metric.ts), which a nested load cannot do.
          if (usesMetrics(args.filter, args.orderBy)) {
            throw createGraphQLError("Filtering or ordering by metric is available on Query.runs(projectName:), not Project.runs.", {
              extensions: { code: "BAD_USER_INPUT" },
            });
          }
          const page = idPageOf(args);
          const parts = {
            rows: selectsField(info, "edges") || selectsField(info, "nodes") || selectsField(info, "pageInfo"),
            count: selectsField(info, "totalCount"),
            relatives: selectsNodeField(info, "forkedFrom") || selectsNodeField(info, "forks"),
          };
          const list = await ctx.loaders().runLists.load({ projectId: project.id, list: { filter: args.filter, orders: args.orderBy, page, parts } });
          return connectionOf(list.runs, args, page, list.total ?? undefined);
        },
      },
      RunConnection,
    ),
  }),
});

export const ProjectConnection = builder.connectionObject({ type: Project, name: "ProjectConnection" });

builder.queryFields((t) => ({
  project: t.prismaField({
    type: Project,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.project.findUnique({ ...query, where: { organizationId_name: { organizationId: orgId(ctx), name: args.name } } }),
  }),
  projects: t.prismaConnection(
    {
      type: Project,
      cursor: "id",
      description: "The organization's projects, most recently active first.",
      totalCount: (_parent, _args, ctx) => ctx.prisma.project.count({ where: { organizationId: orgId(ctx) } }),
      resolve: (query, _root, _args, ctx) =>
        ctx.prisma.project.findMany({ ...query, where: { organizationId: orgId(ctx) }, orderBy: [{ updatedAt: "desc" }, { id: "desc" }] }),
    },
    ProjectConnection,
  ),
}));
