// PostGraphile 5 over the gateway's tables, for bench/index.ts: the Amber preset (its
// recommended defaults), no extra plugins, the same PostgreSQL, in which bench/index.ts has
// put one computed column (effective-metrics-column.ts). Listens on PORT.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL!, schemas: ["public"], poolConfig: { max: 10 } })],
  grafast: { explain: false },
};
const server = createServer();
await postgraphile(preset).createServ(grafserv).addTo(server);
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.error("postgraphile ready"));
