import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/domain/api-keys.js";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// The response cache (src/graphql/response-cache.ts) may answer only what the database would:
// an answer is reused while no writing transaction has begun or ended since it was computed.

const PAGE = `query Page($project: String!) {
  viewer { apiKeyName }
  project(name: $project) {
    runs(first: 50) {
      totalCount
      nodes { runId name state forkedFrom { runId } forks { totalCount }
        stateHistory(last: 5) { nodes { fromState toState } } metrics { name count last } }
    }
  }
}`;

let app: TestApp;
let acme: TestOrg;
let rival: TestOrg;

beforeAll(async () => {
  app = await createTestApp({ responseCacheBytes: 1 << 20 });
  acme = await app.org("acme");
  rival = await app.org("rival");
  for (const org of [acme, rival]) {
    const root = (await createRunOk(org, { projectName: "p", name: `${org.slug}-root` })).run;
    await logSteps(org, root.runId, "loss", [0, 1, 2, 3]);
    await forkRunOk(org, { parentRunId: root.runId, step: 1 });
  }
});

async function page(org: TestOrg, headers?: Record<string, string>) {
  app.operations.length = 0;
  const res = headers ? await app.gql(PAGE, { project: "p" }, headers) : await org.gql(PAGE, { project: "p" });
  expect(res.errors).toBeUndefined();
  return { data: res.data, ops: [...app.operations] };
}

describe("the response cache", () => {
  it("answers a repeated costly query with one statement (the snapshot check), identically", async () => {
    const first = await page(acme);
    expect(first.ops.length).toBeGreaterThan(1);
    // On PostgreSQL the other test files write to the same cluster, which rightly
    // invalidates: ask until two requests fall between their writes.
    let again = await page(acme);
    for (let i = 0; i < 200 && again.ops.length > 1; i++) again = await page(acme);
    expect(again.ops).toEqual(["sql"]);
    expect(again.data).toEqual(first.data);
  });

  it("reads again after a write through the API, and after one in plain SQL outside the gateway", async () => {
    const before = await page(acme);
    const run = before.data.project.runs.nodes[0];
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "COMPLETED" } });
    const afterApi = await page(acme);
    expect(afterApi.ops.length).toBeGreaterThan(1);
    expect(afterApi.data.project.runs.nodes[0].state).toBe("COMPLETED");

    await app.db.sql.query(`UPDATE runs SET name = 'renamed in SQL' WHERE id = $1`, [run.runId]);
    const afterSql = await page(acme);
    expect(afterSql.data.project.runs.nodes[0].name).toBe("renamed in SQL");

    await logSteps(acme, run.runId, "loss", [10]);
    const afterIngest = await page(acme);
    expect(afterIngest.data.project.runs.nodes[0].metrics[0].count).toBeGreaterThan(run.metrics[0]?.count ?? 0);
  });

  it("keeps organizations and keys apart", async () => {
    await page(acme);
    const theirs = await page(rival);
    expect(theirs.ops.length).toBeGreaterThan(1);
    expect(theirs.data.project.runs.nodes.map((r: any) => r.name)).not.toContain("acme-root");
    expect(theirs.data.project.runs.nodes.some((r: any) => r.name === "rival-root")).toBe(true);

    // A second key of acme: same organization, its own viewer.
    const { key } = await createApiKey(app.prisma, acme.id, { name: "second" });
    const mine = await page(acme);
    const second = await page(acme, { authorization: `Bearer ${key}` });
    expect(second.data.viewer.apiKeyName).toBe("second");
    expect(mine.data.viewer.apiKeyName).toBe("acme-key");
    expect(second.data.project).toEqual(mine.data.project);
  });

  it("keeps no answer with errors, and does not look up cheap queries", async () => {
    // The page loads, then each run's buckets refuse their count: data and errors.
    const bad = `query { project(name: "p") { runs(first: 50) { nodes { name metric(name: "loss") { buckets(count: 0) { count } } } } } }`;
    for (let i = 0; i < 2; i++) {
      app.statements.length = 0;
      const res = await acme.gql(bad);
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      // Read again each time: the project with its runs (a prepared statement, run-list.ts).
      expect(app.statements).toEqual(expect.arrayContaining([expect.stringMatching(/^run_list_/)]));
    }
    app.operations.length = 0;
    await acme.gql("{ viewer { organization { slug } } }");
    await acme.gql("{ viewer { organization { slug } } }");
    expect(app.operations).toEqual([]);
  });

  it("never keeps an answer larger than an eighth of its size", async () => {
    const small = await createTestApp({ responseCacheBytes: 2_000 });
    const org = await small.org("small");
    for (let i = 0; i < 8; i++) await createRunOk(org, { projectName: "p", name: `a fairly long run name ${i}` });
    for (let i = 0; i < 2; i++) {
      small.operations.length = 0;
      expect((await org.gql(PAGE, { project: "p" })).errors).toBeUndefined();
      expect(small.operations.length).toBeGreaterThan(1);
    }
  });
});
