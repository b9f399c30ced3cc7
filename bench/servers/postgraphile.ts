// PostGraphile 5 over the gateway's tables, for bench/index.ts: the Amber preset (its
// recommended defaults), no extra plugins, the same PostgreSQL, plus the one computed column
// its users would write to give a run's metric summaries the gateway's meaning
// (postgraphile-effective-metrics.sql). Listens on PORT.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import pg from "pg";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const connectionString = process.env.DATABASE_URL!;
// Before PostGraphile introspects the database, so that the function is part of its schema.
const db = new pg.Client({ connectionString });
await db.connect();
await db.query(readFileSync(new URL("./postgraphile-effective-metrics.sql", import.meta.url), "utf8"));
await db.end();

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString, schemas: ["public"], poolConfig: { max: 10 } })],
  grafast: { explain: false },
};
const server = createServer();
await postgraphile(preset).createServ(grafserv).addTo(server);
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.error("postgraphile ready"));
