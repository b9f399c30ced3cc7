import { afterAll, describe, expect, it } from "vitest";
import { createEventBus, installationNamespace, type EventBus } from "../src/events.js";
import { openTestDatabase } from "./helpers/test-database.js";

// Two installations sharing one Redis have the same organization ids: their live updates
// must stay apart, while the replicas of one installation hear each other. Real Redis.
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const buses: EventBus[] = [];
afterAll(async () => {
  for (const b of buses) await b.close();
});

async function heard(listener: EventBus, speaker: EventBus, key: string): Promise<boolean> {
  const it = listener.events.subscribe("run-updated", key)[Symbol.asyncIterator]();
  const next = it.next();
  // Redis subscribes asynchronously: publish a few times within a bounded wait.
  for (let i = 0; i < 10; i++) {
    speaker.events.publish("run-updated", key, { runId: 7 });
    const got = await Promise.race([next.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 100))]);
    if (got) {
      await it.return?.();
      return true;
    }
  }
  await it.return?.();
  return false;
}

describe("Redis channels per installation", () => {
  it("every replica of an installation reads the same namespace from its database", async () => {
    const db = await openTestDatabase();
    try {
      const ns = await installationNamespace(db.sql);
      expect(ns).toMatch(/^gw:[0-9a-f-]{36}:$/);
      expect(await installationNamespace(db.sql)).toBe(ns);
    } finally {
      await db.close();
    }
  });

  it("replicas of one installation hear each other; another installation hears nothing", async () => {
    const [a1, a2, b] = ["gw:a:", "gw:a:", "gw:b:"].map((ns) => createEventBus(REDIS_URL, ns));
    buses.push(a1!, a2!, b!);
    const key = `1:${Date.now()}`; // organization 1 exists in every installation
    expect(await heard(a2!, a1!, key)).toBe(true);
    expect(await heard(b!, a1!, key)).toBe(false);
  });
});
