import { builder } from "../builder.js";
import { orgId } from "../context.js";
import { projectByName, type ProjectRow } from "../../domain/projects.js";
import { usesMetrics } from "../../domain/run-query.js";
import { connectionOf, idPageOf } from "../cursor-pages.js";
import { nodeFields, selectsField, selectsNodeField, selectsPage } from "../selects.js";
import { stateEventPageOf } from "./run-state-event.js";
import type { StateEventPage } from "../../domain/state-history.js";
import { getArgumentValues, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from "graphql";
import { checkRunList, Run, RunConnection, RunFilterInput, RunOrderInput } from "./run.js";
import { createGraphQLError } from "graphql-yoga";

export const Project = builder.prismaNode("Project", {
  id: { field: "id" },
  // Every column a project shows is always read (ProjectRow, a handful of small ones), and
  // its fields are plain: Query.project reads the row with one prepared statement, not
  // through Prisma, and the fields answer from it without Pothos's plan.
  select: { id: true, name: true, runPrefix: true, tags: true, createdAt: true, updatedAt: true },
  // Another organization's id reads as "not found", never as an error.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), organizationId: orgId(ctx) }),
  fields: (t) => ({
    projectId: t.int({ resolve: (p) => p.id }),
    name: t.string({ resolve: (p) => p.name }),
    runPrefix: t.string({ resolve: (p) => p.runPrefix }),
    tags: t.stringList({ resolve: (p) => p.tags }),
    createdAt: t.field({ type: "DateTime", resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: "DateTime", resolve: (p) => p.updatedAt }),
    // Counted with the project by Query.project, else for all projects of the request at once.
    runCount: t.int({ resolve: (p, _args, ctx) => (p as ProjectRow).runCount ?? ctx.loaders().runCounts.load(p.id) }),
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
            rows: selectsPage(info),
            count: selectsField(info, "totalCount"),
            relatives: selectsNodeField(info, "forkedFrom") || selectsNodeField(info, "forks"),
            stateHistory: listedStateHistory(info),
            summaries: selectsNodeField(info, "metrics"),
          };
          const loaders = ctx.loaders();
          const list = await loaders.runLists.load({ projectId: project.id, list: { filter: args.filter, orders: args.orderBy, page, parts } });
          // What the list read of its runs, where their fields' loaders will look for it.
          for (const [runId, events] of list.stateHistory ?? []) loaders.stateEvents.prime({ runId, page: parts.stateHistory! }, events);
          for (const [runId, summaries] of list.summaries ?? []) loaders.summaries.prime(runId, summaries);
          return connectionOf(list.runs, args, page, list.total ?? undefined);
        },
      },
      RunConnection,
    ),
  }),
});

/**
 * The page of state history that a run list's runs show, to be read with the list: when
 * their selection holds one stateHistory field (one response key), with arguments it
 * accepts. Else null, and each field reads its own page.
 */
function listedStateHistory(info: GraphQLResolveInfo): StateEventPage | null {
  const fields = nodeFields(info, "stateHistory");
  const key = (f: FieldNode) => f.alias?.value ?? f.name.value;
  if (fields.length === 0 || fields.some((f) => key(f) !== key(fields[0]!))) return null;
  const definition = (info.schema.getType("Run") as GraphQLObjectType).getFields().stateHistory!;
  try {
    return stateEventPageOf(getArgumentValues(definition, fields[0]!, info.variableValues), info, fields);
  } catch {
    return null; // the field reports its own error
  }
}

export const ProjectConnection = builder.connectionObject({ type: Project, name: "ProjectConnection" });

builder.queryFields((t) => ({
  project: t.field({
    type: Project,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx, info) => projectByName(ctx.sql, orgId(ctx), args.name, selectsField(info, "runCount")),
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
