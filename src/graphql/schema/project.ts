import { builder } from "../builder.js";
import { orgId } from "../context.js";
import { runOrderBy, runWhere, usesMetrics } from "../../domain/run-query.js";
import { checkRunList, RunConnection, RunFilterInput, RunOrderInput } from "./run.js";
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
    runs: t.relatedConnection(
      "runs",
      {
        cursor: "id",
        totalCount: true,
        args: {
          filter: t.arg({ type: RunFilterInput }),
          orderBy: t.arg({ type: [RunOrderInput] }),
        },
        query: (args, ctx) => {
          checkRunList(args.filter, args.orderBy);
          // Metric lists are sorted outside SQL (runs-by-metric.ts), which a nested load cannot do.
          if (usesMetrics(args.filter, args.orderBy)) {
            throw createGraphQLError("Filtering or ordering by metric is available on Query.runs(projectName:), not Project.runs.", {
              extensions: { code: "BAD_USER_INPUT" },
            });
          }
          return { where: runWhere(orgId(ctx), args.filter), orderBy: runOrderBy(args.orderBy) };
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
