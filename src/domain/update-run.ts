import { Prisma, type PrismaClient, type Run } from "../generated/prisma/client.js";
import { checkRunFields, checkRunGroup, type RunFields } from "./create-run.js";
import { NotFoundError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { dedupe, runGroupFromTags, validateTags } from "./tags.js";
import { InputCheck } from "./validate.js";

export interface UpdateRunInput extends RunFields {
  runId: number;
  name?: string | null;
  tags?: string[] | null;
  scheduledAt?: Date | null;
  heartbeatAt?: Date | null;
}

/** Sets the given fields; absent fields stay as they are. JSON fields are replaced whole. */
export async function updateRun(prisma: PrismaClient, organizationId: number, input: UpdateRunInput): Promise<Run> {
  const check = new InputCheck();
  check.text(["name"], input.name, { max: LIMITS.nameLength }).date(["scheduledAt"], input.scheduledAt).date(["heartbeatAt"], input.heartbeatAt);
  // Absent leaves the name as it is; null would clear what every run must have.
  if (input.name === null) check.fail(["name"], "name cannot be null: leave it out to keep the run's name.");
  checkRunFields(check, input);
  if (input.tags) check.rule(() => validateTags(input.tags!, ["tags"]));
  checkRunGroup(check, input.tags, input.runGroup);
  check.done();

  const { runId, tags, ...fields } = input;
  const data: Prisma.RunUpdateInput = { updatedAt: new Date() };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (data as Record<string, unknown>)[key] = value === null && isJsonField(key) ? jsonNull : value;
  }
  if (tags) {
    data.tags = dedupe(tags);
    const group = runGroupFromTags(tags);
    if (group != null) data.runGroup = group;
  }
  const { count } = await prisma.run.updateMany({ where: { id: runId, organizationId }, data: data as Prisma.RunUpdateManyMutationInput });
  if (count === 0) throw new NotFoundError(`Run ${runId} not found.`, "Run");
  return prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

export async function setStorageState(prisma: PrismaClient, organizationId: number, runId: number, archived: boolean): Promise<Run> {
  const { count } = await prisma.run.updateMany({
    where: { id: runId, organizationId },
    data: { storageState: archived ? "ARCHIVED" : "AVAILABLE", updatedAt: new Date() },
  });
  if (count === 0) throw new NotFoundError(`Run ${runId} not found.`, "Run");
  return prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

const JSON_FIELDS = new Set(["config", "systemMetadata", "loggerSettings", "inputData", "result", "runtimeConfig", "pipelineSpec"]);
const isJsonField = (k: string) => JSON_FIELDS.has(k);
// Prisma needs its DbNull sentinel to clear a nullable JSON column.
const jsonNull = Prisma.DbNull;
