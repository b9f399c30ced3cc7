import type { RunEvents } from "./events.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import { sweepLostRuns, type LivenessRules } from "./domain/liveness.js";
import { announceRunChangedIn } from "./graphql/publish.js";
import type { Logger } from "./logger.js";

// Runs the liveness sweep every interval (src/domain/liveness.ts), on every replica: the
// database's advisory lock lets one sweep at a time. Subscribers hear of each lost run.

export function startLivenessSweeper(opts: {
  prisma: PrismaClient;
  events: RunEvents;
  logger: Logger;
  rules: LivenessRules;
  intervalMs: number;
}): { stop(): Promise<void>; sweepNow(): Promise<number> } {
  let running: Promise<number> | null = null;
  const sweep = (): Promise<number> =>
    (running ??= (async () => {
      try {
        const lost = await sweepLostRuns(opts.prisma, opts.rules);
        for (const { organizationId, result } of lost) {
          opts.logger.event("warn", { runId: result.run.id, organizationId }, "run lost: no heartbeat, marked FAILED");
          await announceRunChangedIn(opts, organizationId, result.run, { fromState: result.previousState, toState: result.run.state, source: "SYSTEM" });
        }
        return lost.length;
      } catch (e) {
        opts.logger.error("liveness sweep failed:", e);
        return 0;
      } finally {
        running = null;
      }
    })());
  const timer = opts.intervalMs > 0 ? setInterval(() => void sweep(), opts.intervalMs) : null;
  timer?.unref();
  return {
    sweepNow: sweep,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
