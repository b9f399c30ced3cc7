import { describe, expect, it } from "vitest";
import { listen } from "./helpers/http.js";
import { createTestApp } from "./helpers/test-app.js";

describe("health", () => {
  it("/healthz answers while the process lives; /readyz follows the database", async () => {
    const app = await createTestApp();
    const base = await listen(app.yoga);
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await get("/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await get("/readyz")).toEqual({ status: 200, body: { status: "ready" } });

    await app.prisma.$executeRawUnsafe(`UPDATE _prisma_migrations SET rolled_back_at = now()`);
    const behind = await get("/readyz");
    expect(behind.status).toBe(503);
    expect(behind.body.reason).toMatch(/migrations not applied: \d+_init/);

    await app.db.close();
    expect(await get("/readyz")).toEqual({ status: 503, body: { status: "unavailable", reason: "database unreachable" } });
    expect((await get("/healthz")).status).toBe(200);
  });
});
