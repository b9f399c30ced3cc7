// PostGraphile 5 over the gateway's tables, for bench/index.ts: the Amber preset (its
// recommended defaults), no extra plugins, the same PostgreSQL, in which bench/index.ts has
// put one computed column (effective-metrics-column.ts). Listens on PORT.
// Its pool is fixed-size like the gateway's (idle connections kept, src/db/database.ts):
// with pg-pool's default, the connections a row opened closed 10 s after it, and their
// backends exiting on this 2-CPU VM stalled the next row, whichever server it measured
// (bench/README.md, "Latency at half load").
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL!, schemas: ["public"], poolConfig: { max: 10, idleTimeoutMillis: 0 } })],
  grafast: { explain: false },
};
const server = createServer();
await postgraphile(preset).createServ(grafserv).addTo(server);
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.error("postgraphile ready"));
