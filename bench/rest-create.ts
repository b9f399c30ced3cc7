// POST /api/runs/create on PostgreSQL: new runs (spread over 64 projects, and all in one
// project, where numbering serializes), the resume path (one shared externalId), next to a
// bare Yoga `{ __typename }` POST, at 1, 32 and 128 connections.
// Run: npx tsx bench/rest-create.ts [seconds per scenario, default 10]
import { BENCH_KEY, freshDatabase, load, printTable, startGateway, stopGateway, type Figures } from "./lib.js";

const seconds = Number(process.argv[2] ?? 10);
const PORT = 4610;
const base = `http://127.0.0.1:${PORT}`;
const auth = { authorization: `Bearer ${BENCH_KEY}` };

const databaseUrl = await freshDatabase("gateway_bench_rest");
const gateway = await startGateway({ DATABASE_URL: databaseUrl }, PORT);
let n = 0;
const rows: Figures[] = [];
try {
  // The shared run of the resume scenario exists before it is measured.
  await fetch(`${base}/api/runs/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ runName: "shared", projectName: "resume", externalId: "job" }) });
  for (const connections of [1, 32, 128]) {
    const common = { connections, seconds, headers: auth };
    rows.push(await load("bare Yoga { __typename }", { ...common, url: `${base}/graphql`, body: () => '{"query":"{ __typename }"}' }));
    rows.push(
      await load("create, 64 projects", {
        ...common,
        url: `${base}/api/runs/create`,
        body: () => JSON.stringify({ runName: `r${++n}`, projectName: `p${n % 64}`, tags: null, config: '{"lr": 0.001}' }),
      }),
    );
    rows.push(
      await load("create, one project", {
        ...common,
        url: `${base}/api/runs/create`,
        body: () => JSON.stringify({ runName: `r${++n}`, projectName: "one", tags: null, config: '{"lr": 0.001}' }),
      }),
    );
    rows.push(
      await load("resume, one externalId", {
        ...common,
        url: `${base}/api/runs/create`,
        body: () => JSON.stringify({ runName: "shared", projectName: "resume", externalId: "job", tags: null, config: '{"lr": 0.001}' }),
      }),
    );
  }
} finally {
  await stopGateway(gateway);
}
printTable(`POST /api/runs/create on PostgreSQL, ${seconds} s per row (autocannon)`, rows);
