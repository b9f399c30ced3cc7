import { builder } from "../builder.js";
import { orgId } from "../context.js";
import { projectByName, type ProjectRow } from "../../domain/projects.js";
import { usesMetrics } from "../../domain/run-query.js";
import { connectionOf, idPageOf } from "../cursor-pages.js";
import { childFields, nodeFields, oneResponseKey, selectsField, selectsNodeField, selectsPage } from "../selects.js";
import { projectWithRuns, type RunListRequest } from "../../domain/run-list.js";
import type { RunFilter, RunOrder } from "../../domain/run-query.js";
import type { ConnectionArgs } from "../cursor-pages.js";
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
        // One plain statement for the same page of every project of the request (run-list.ts),
        // or none when Query.project read the list with the project.
        resolve: async (project, args, ctx, info) => {
          const request = runListRequestOf(args, info);
          const loaders = ctx.loaders();
          const list = await loaders.runLists.load({ projectId: project.id, list: request });
          // What the list read of its runs, where their fields' loaders will look for it.
          const { stateHistory } = request.parts;
          for (const [runId, events] of list.stateHistory ?? []) loaders.stateEvents.prime({ runId, page: stateHistory! }, events);
          for (const [runId, summaries] of list.summaries ?? []) loaders.summaries.prime(runId, summaries);
          return connectionOf(list.runs, args, request.page, list.total ?? undefined);
        },
      },
      RunConnection,
    ),
  }),
});

type RunListArgs = ConnectionArgs & { filter?: RunFilter | null; orderBy?: readonly RunOrder[] | null };

/**
 * What a Project.runs field (`fieldNodes`, the one being resolved by default) reads: its
 * page and what its selection shows. Throws the field's errors for arguments it refuses.
 */
function runListRequestOf(args: RunListArgs, info: GraphQLResolveInfo, fieldNodes: readonly FieldNode[] = info.fieldNodes): RunListRequest {
  checkRunList(args.filter, args.orderBy);
  // Metric lists are sorted outside SQL (runs-by-metric.ts), which a nested load cannot do.
  if (usesMetrics(args.filter, args.orderBy)) {
    throw createGraphQLError("Filtering or ordering by metric is available on Query.runs(projectName:), not Project.runs.", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return {
    filter: args.filter,
    orders: args.orderBy,
    page: idPageOf(args),
    parts: {
      rows: selectsPage(info, fieldNodes),
      count: selectsField(info, "totalCount", fieldNodes),
      relatives: selectsNodeField(info, "forkedFrom", fieldNodes) || selectsNodeField(info, "forks", fieldNodes),
      stateHistory: listedStateHistory(info, fieldNodes),
      summaries: selectsNodeField(info, "metrics", fieldNodes),
    },
  };
}

/**
 * What `fields`, beneath the field being resolved, will read, worked out ahead so that this
 * one reads it too: `read` of their arguments, when they have one response key and no
 * directive and `field` (of `type`) accepts their arguments. Else null, and they read on
 * their own, reporting their own errors.
 */
function readAhead<T>(info: GraphQLResolveInfo, fields: readonly FieldNode[], type: string, field: string, read: (args: Record<string, unknown>) => T): T | null {
  if (!oneResponseKey(fields)) return null;
  try {
    const definition = (info.schema.getType(type) as GraphQLObjectType).getFields()[field]!;
    return read(getArgumentValues(definition, fields[0]!, info.variableValues));
  } catch {
    return null;
  }
}

/** The page of state history that a run list's runs show, to be read with the list (readAhead). */
function listedStateHistory(info: GraphQLResolveInfo, fieldNodes: readonly FieldNode[]): StateEventPage | null {
  const fields = nodeFields(info, "stateHistory", fieldNodes);
  return readAhead(info, fields, "Run", "stateHistory", (args) => stateEventPageOf(args, info, fields));
}

/** The run list a Query.project shows, to be read with the project: the frontend's page in one statement (readAhead). */
function listOfProject(info: GraphQLResolveInfo): RunListRequest | null {
  const fields = childFields(info, "runs");
  return readAhead(info, fields, "Project", "runs", (args) => runListRequestOf(args, info, fields));
}

export const ProjectConnection = builder.connectionObject({ type: Project, name: "ProjectConnection" });

builder.queryFields((t) => ({
  project: t.field({
    type: Project,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx, info) => {
      const runCount = selectsField(info, "runCount");
      const list = listOfProject(info);
      if (!list) return projectByName(ctx.sql, orgId(ctx), args.name, runCount);
      const found = await projectWithRuns(ctx.sql, orgId(ctx), args.name, runCount, list);
      // Where Project.runs will look for its list: the same request is the same key.
      if (found) ctx.loaders().runLists.prime({ projectId: found.project.id, list }, found.list);
      return found?.project ?? null;
    },
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
