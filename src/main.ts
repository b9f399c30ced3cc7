import { SettingsError, loadSettings } from "./config.js";
import { openDatabase } from "./db/database.js";
import { createLogger } from "./logger.js";

let settings;
try {
  settings = loadSettings();
} catch (e) {
  if (e instanceof SettingsError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger(settings.logLevel);

try {
  // Open the database while the GraphQL modules load: the two take about as long.
  const opening = openDatabase(settings);
  opening.catch(() => {}); // awaited by startApp; this only silences the early rejection
  const { startApp } = await import("./app.js");
  const app = await startApp(settings, logger, opening);
  logger.info(`database: ${app.db.kind} (${app.db.location})`);
  logger.info(`GraphQL at ${app.url}/graphql (GraphiQL in a browser)`);
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    logger.info(`${signal}: closing the server and the database`);
    app.stop().then(
      () => process.exit(0),
      (e) => {
        logger.error(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
} catch (e) {
  logger.error((e as Error).message);
  process.exit(1);
}
