import { beforeAll, describe, expect, it } from "vitest";
import { sweepLostRuns } from "../src/domain/liveness.js";
import { startLivenessSweeper } from "../src/sweeper.js";
import { createEventBus } from "../src/events.js";
import { createLogger } from "../src/logger.js";
import { createRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Runs whose process died: RUNNING with no heartbeat for 150 s (or, never having sent one,
// no metric for 1800 s) become FAILED with a SYSTEM event, one sweeper at a time.

let app: TestApp;
let acme: TestOrg;
const rules = { heartbeatTimeoutMs: 150_000, silentTimeoutMs: 1_800_000 };
const ago = (ms: number) => new Date(Date.now() - ms);

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
});

async function run(fields: { heartbeatAt?: Date | null; lastLoggedAt?: Date | null; createdAt?: Date; state?: "RUNNING" | "COMPLETED" }) {
  const runId = (await createRunOk(acme, { projectName: "live", initialState: "RUNNING" })).run.runId as number;
  await app.prisma.run.update({ where: { id: runId }, data: { heartbeatAt: fields.heartbeatAt ?? null, lastLoggedAt: fields.lastLoggedAt ?? null, ...(fields.createdAt ? { createdAt: fields.createdAt, startedAt: fields.createdAt } : {}), ...(fields.state ? { state: fields.state } : {}) } });
  return runId;
}
const stateOf = async (id: number) => (await app.prisma.run.findUniqueOrThrow({ where: { id } })).state;

describe("the liveness sweep", () => {
  it("fails exactly the lost runs, with a SYSTEM event and an error saying why", async () => {
    const lost = await run({ heartbeatAt: ago(151_000) });
    const beating = await run({ heartbeatAt: ago(10_000) });
    const stillLogging = await run({ heartbeatAt: ago(300_000), lastLoggedAt: ago(5_000) });
    const silentLost = await run({ createdAt: ago(1_801_000) });
    const silentYoung = await run({ createdAt: ago(600_000) });
    const silentLogging = await run({ createdAt: ago(3_600_000), lastLoggedAt: ago(60_000) });
    const finished = await run({ heartbeatAt: ago(999_000), state: "COMPLETED" });

    const swept = await sweepLostRuns(app.prisma, rules);
    expect(swept.map((s) => s.result.run.id).sort()).toEqual([lost, silentLost].sort());
    expect(await Promise.all([lost, beating, stillLogging, silentLost, silentYoung, silentLogging, finished].map(stateOf))).toEqual([
      "FAILED", "RUNNING", "RUNNING", "FAILED", "RUNNING", "RUNNING", "COMPLETED",
    ]);
    const event = await app.prisma.runStateEvent.findFirstOrThrow({ where: { runId: lost }, orderBy: { id: "desc" } });
    expect(event).toMatchObject({ fromState: "RUNNING", toState: "FAILED", source: "SYSTEM", error: { code: "HEARTBEAT_LOST" } });
    expect((await app.prisma.runStateEvent.findFirstOrThrow({ where: { runId: silentLost }, orderBy: { id: "desc" } })).error).toMatchObject({ code: "NO_ACTIVITY" });
    expect(await sweepLostRuns(app.prisma, rules)).toEqual([]); // nothing twice
  });

  it("a run that logs metrics counts as alive (ingest records when)", async () => {
    const runId = await run({ heartbeatAt: ago(200_000) });
    await logSteps(acme, runId, "loss", [1]);
    expect((await app.prisma.run.findUniqueOrThrow({ where: { id: runId } })).lastLoggedAt!.getTime()).toBeGreaterThan(Date.now() - 10_000);
    await sweepLostRuns(app.prisma, rules);
    expect(await stateOf(runId)).toBe("RUNNING");
  });

  it("concurrent sweeps (replicas) fail each lost run once", async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => run({ heartbeatAt: ago(400_000) })));
    const results = await Promise.all(Array.from({ length: 4 }, () => sweepLostRuns(app.prisma, rules)));
    expect(results.flat().map((r) => r.result.run.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await app.prisma.runStateEvent.count({ where: { runId: id, toState: "FAILED" } })).toBe(1);
  });

  it("the sweeper tells subscribers", async () => {
    const runId = await run({ heartbeatAt: ago(400_000) });
    const bus = createEventBus();
    const heard: unknown[] = [];
    const received = new Promise<void>((resolve) => {
      bus.events.subscribe("run-updated", `${acme.id}:${runId}`).next().then((v) => { heard.push(v.value); resolve(); });
    });
    const sweeper = startLivenessSweeper({ prisma: app.prisma, events: bus.events, logger: createLogger("silent"), rules, intervalMs: 0 });
    expect(await sweeper.sweepNow()).toBeGreaterThanOrEqual(1);
    await received;
    expect(heard).toEqual([{ runId }]);
    await sweeper.stop();
    await bus.close();
  });
});
