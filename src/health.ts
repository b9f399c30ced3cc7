import type { Plugin } from "graphql-yoga";
import type { PrismaClient } from "./generated/prisma/client.js";
import { json } from "./rest/responses.js";

// /healthz: the process answers. /readyz: it can serve, i.e. the database answers and has
// every migration this build ships. A load balancer routes only to ready replicas.
export function useHealthRoutes(opts: { prisma: PrismaClient; expectedMigrations: () => Promise<string[]> }): Plugin {
  async function readiness(): Promise<{ ready: boolean; reason?: string }> {
    let timer: NodeJS.Timeout | undefined;
    // A load balancer's probe wants an answer, not a hang, when the database does not reply.
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("readiness timeout")), 2_000)));
    try {
      return await Promise.race([check(), timeout]);
    } catch {
      return { ready: false, reason: "database unreachable" };
    } finally {
      clearTimeout(timer);
    }
  }

  async function check(): Promise<{ ready: boolean; reason?: string }> {
    const applied = await opts.prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const have = new Set(applied.map((m) => m.migration_name));
    const missing = (await opts.expectedMigrations()).filter((m) => !have.has(m));
    return missing.length ? { ready: false, reason: `migrations not applied: ${missing.join(", ")}` } : { ready: true };
  }

  return {
    async onRequest({ url, request, endResponse }) {
      if (request.method !== "GET") return;
      if (url.pathname === "/healthz") return endResponse(json(200, { status: "ok" }));
      if (url.pathname === "/readyz") {
        const r = await readiness();
        endResponse(r.ready ? json(200, { status: "ready" }) : json(503, { status: "unavailable", reason: r.reason }));
      }
    },
  };
}
