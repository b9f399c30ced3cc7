import { createServer, type Server } from "node:http";
import { attachWebSocket } from "./websocket.js";
import type { Settings } from "./config.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { bootstrap } from "./domain/bootstrap.js";
import { createEventBus, installationNamespace } from "./events.js";
import { createAuthenticator } from "./domain/key-cache.js";
import { randomUUID } from "node:crypto";
import type { Logger } from "./logger.js";
import { createMetrics } from "./observability/metrics.js";
import { createGateway, type Gateway } from "./server.js";
import { restRouteLabel } from "./rest/routes.js";
import { startLivenessSweeper } from "./sweeper.js";
import { RateLimiter } from "./domain/rate-limit.js";
import { readPersistedOperations } from "./graphql/persisted-operations.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RunningApp {
  server: Server;
  gateway: Gateway;
  db: Database;
  url: string;
  stop(): Promise<void>;
}

/**
 * Opens the database, migrates, bootstraps, listens: everything `npm start` does. `opening`
 * lets the caller start opening the database (PGlite's first start runs initdb, seconds)
 * while the schema modules load.
 */
export async function startApp(settings: Settings, logger: Logger, opening?: Promise<Database>): Promise<RunningApp> {
  const db = await (opening ?? openDatabase(settings));
  let knownKey: string | null = settings.bootstrapApiKey ?? null;
  try {
    const applied = await migrate(db, settings.databaseUrl);
    if (applied.length) logger.info(`applied migrations: ${applied.join(", ")}`);
    const boot = await bootstrap(db.prisma, { orgSlug: settings.bootstrapOrg, apiKey: settings.bootstrapApiKey });
    if (boot.created) logger.info(`created organization "${boot.organizationSlug}" with a bootstrap API key`);
    if (boot.generatedKey) {
      knownKey = boot.generatedKey;
      // Printed once, on stdout: it is stored only as a hash.
      process.stdout.write(
        `\nAPI key for organization "${boot.organizationSlug}" (shown once, keep it):\n\n  ${boot.generatedKey}\n\n` +
          `Send it as: Authorization: Bearer ${boot.generatedKey}\n\n`,
      );
    }
  } catch (e) {
    await db.close();
    throw e;
  }

  // Replicas of one installation share its database, and so its Redis namespace.
  const bus = createEventBus(settings.redisUrl, settings.redisUrl ? await installationNamespace(db.sql) : "");
  const authenticator = await createAuthenticator(db.sql, db.listen);
  const metrics = createMetrics({ poolStats: db.poolStats, routeLabel: restRouteLabel });
  const persistedOperations = settings.persistedOperations.file
    ? { documents: await readPersistedOperations(settings.persistedOperations.file), only: settings.persistedOperations.only }
    : undefined;
  // Embedded mode: GraphiQL on this machine opens with the bootstrap key, if it still works.
  const graphiqlKey = db.kind === "pglite" && knownKey && (await authenticator.authenticate(`Bearer ${knownKey}`)).ok ? knownKey : null;
  const gateway = createGateway({
    prisma: db.prisma,
    sql: db.sql,
    events: bus.events,
    publicUrl: settings.publicUrl,
    logger,
    authenticator,
    metrics,
    graphiqlKey,
    queryLimits: settings.queryLimits,
    maxBodyBytes: settings.maxBodyBytes,
    rateLimiter: settings.rateLimit.perSecond > 0 ? new RateLimiter(settings.rateLimit.perSecond, settings.rateLimit.burst) : undefined,
    persistedOperations,
    responseCacheBytes: settings.responseCacheBytes,
  });
  // Requests still being handled when the server stops finish before the database closes:
  // a client that hung up does not end its request's work.
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    // A caller's own request id is kept when it looks like one, so traces join up.
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("x-request-id", requestId);
    const t0 = performance.now();
    res.once("finish", () =>
      logger.event("info", { requestId, method: req.method, path: req.url?.split("?")[0], status: res.statusCode, ms: Math.round((performance.now() - t0) * 10) / 10 }, "request"),
    );
    void Promise.resolve(gateway(req, res, { requestId })).finally(() => inFlight--);
  });
  const drained = async (timeoutMs: number) => {
    for (const until = Date.now() + timeoutMs; inFlight > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
  };
  const websocket = attachWebSocket(server, gateway);
  const sweeper = startLivenessSweeper({
    prisma: db.prisma,
    events: bus.events,
    logger,
    rules: settings.liveness,
    intervalMs: settings.liveness.sweepIntervalMs,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const url = `http://${settings.host && settings.host !== "0.0.0.0" && settings.host !== "::" ? settings.host : "localhost"}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await websocket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await drained(10_000);
      await sweeper.stop();
      await bus.close();
      await authenticator.close();
      await db.close();
    })());
  return { server, gateway, db, url, stop };
}
