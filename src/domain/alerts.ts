import type { PrismaClient } from "../generated/prisma/client.js";
import { NotFoundError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { RUN_NOT_FOUND } from "./run-lifecycle.js";
import { InputCheck } from "./validate.js";

// Alerts a run raises (Pluto's run.alert()): kept with the run, readable through GraphQL.

export interface AlertInput {
  level: string;
  title: string;
  body: string;
  email?: boolean | null;
  url?: string | null;
  at?: Date | null;
}

export async function addAlert(prisma: PrismaClient, organizationId: number, runId: number, a: AlertInput) {
  new InputCheck(["alert"])
    .text(["level"], a.level, { required: true, max: LIMITS.shortTextLength })
    .text(["title"], a.title, { required: true, max: LIMITS.nameLength })
    .text(["body"], a.body, { max: LIMITS.notesLength * 10 })
    .text(["url"], a.url, { max: 2048 })
    .date(["at"], a.at)
    .done();
  const run = await prisma.run.findFirst({ where: { id: runId, organizationId }, select: { id: true } });
  if (!run) throw new NotFoundError(RUN_NOT_FOUND, "Run");
  return prisma.runAlert.create({ data: { runId, level: a.level, title: a.title, body: a.body, email: a.email ?? false, url: a.url ?? null, at: a.at ?? new Date() } });
}
