import type { Sql } from "../db/sql.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { createRun, type CreateRunResult } from "./create-run.js";
import { NotFoundError } from "./errors.js";
import type { JsonObject } from "./json-merge.js";

export interface ForkRunInput {
  parentRunId: number;
  step: number;
  name?: string | null;
  tags?: string[] | null;
  config?: JsonObject | null;
  inheritConfig?: boolean | null;
  inheritTags?: boolean | null;
  externalId?: string | null;
}

/** A fork in the parent's project: createRun with a fork spec, named after the parent by default. */
export async function forkRun(prisma: PrismaClient, sql: Sql, organizationId: number, input: ForkRunInput): Promise<CreateRunResult> {
  const parent = await prisma.run.findFirst({
    where: { id: input.parentRunId, organizationId },
    select: { name: true, project: { select: { name: true } } },
  });
  if (!parent) throw new NotFoundError(`Run ${input.parentRunId} not found.`, "Run");
  return createRun(prisma, sql, organizationId, {
    projectName: parent.project.name,
    name: input.name ?? parent.name,
    tags: input.tags,
    config: input.config,
    externalId: input.externalId,
    fork: { parentRunId: input.parentRunId, step: input.step, inheritConfig: input.inheritConfig, inheritTags: input.inheritTags },
  });
}
