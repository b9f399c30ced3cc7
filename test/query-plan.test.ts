import { beforeAll, describe, expect, it } from "vitest";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// The frontend's nested query must cost a fixed number of database operations whatever the
// number of projects, runs, forks and events (no N+1).

const NESTED = `{
  projects(first: 20) {
    totalCount
    nodes {
      name
      runs(first: 50) {
        totalCount
        nodes {
          displayId url state
          forkedFrom { runId displayId }
          forks { totalCount }
          stateHistory(first: 5) { nodes { fromState toState source at } }
        }
      }
    }
  }
}`;

let app: TestApp;
let acme: TestOrg;

async function addProject(name: string, runs: number) {
  const created = [];
  for (let i = 0; i < runs; i++) created.push((await createRunOk(acme, { projectName: name, name: `r${i}` })).run);
  await forkRunOk(acme, { parentRunId: created[0].runId, step: 0 });
  for (const r of created.slice(0, 2)) await acme.gql(UPDATE_STATE, { input: { runId: r.runId, state: "COMPLETED" } });
}

async function measure(query = NESTED) {
  app.operations.length = 0;
  const res = await acme.gql(query);
  expect(res.errors).toBeUndefined();
  // (The API key lookup goes through db.sql, outside the recorded client.)
  return { ops: [...app.operations], data: res.data };
}

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  await addProject("one", 3);
});

describe("nested projects → runs → forkedFrom, forks, stateHistory", () => {
  it("costs the same operations for 1 project of 4 runs and 5 projects of up to 11 runs", async () => {
    const small = await measure();
    for (const [i, n] of [4, 6, 8, 10].entries()) await addProject(`p${i}`, n);
    const large = await measure();
    expect(large.data.projects.totalCount).toBe(5);
    expect(large.data.projects.nodes.reduce((s: number, p: any) => s + p.runs.nodes.length, 0)).toBe(4 + 5 + 7 + 9 + 11);
    const withForks = large.data.projects.nodes.flatMap((p: any) => p.runs.nodes).filter((r: any) => r.forkedFrom);
    expect(withForks).toHaveLength(5);
    // displayId and url, of the runs and of their parents, are not list columns: Pothos loads
    // them for each run with a findUniqueOrThrow, all in the same tick (the list's lineage
    // resolves at once), which it merges into one query (5 statements a page on PostgreSQL
    // with them, 4 without: bench/README.md).
    const batched = (ops: string[]) => ops.filter((op, i) => op !== "Run.findUniqueOrThrow" || ops[i - 1] !== op);
    expect(batched(large.ops)).toEqual(batched(small.ops));
    // Pinned: one findMany for the projects, one count for projects.totalCount, one statement
    // for every project's page of runs with its count, each run's parent and fork count and
    // its page of state history (run-list.ts), then the display ids and urls.
    expect(batched(large.ops)).toMatchInlineSnapshot(`
      [
        "Project.findMany",
        "Project.count",
        "sql",
        "Run.findUniqueOrThrow",
      ]
    `);
  });
});

describe("metric summaries of a run list", () => {
  const LIST = `{ runs(first: 50) { nodes { runId metrics { name count last } metric(name: "loss") { summary { min max lastStep } }
    spark: metric(name: "loss") { buckets(count: 2) { fromStep count last } }
    own: metric(name: "loss") { buckets(count: 2, ownOnly: true) { fromStep count last } } } } }`;
  const ONE = `query($id: Int!) { run(runId: $id) { spark: metric(name: "loss") { buckets(count: 2) { fromStep count last } }
    own: metric(name: "loss") { buckets(count: 2, ownOnly: true) { fromStep count last } } } }`;

  it("cost the same queries for 3 runs and for 30, forks included", async () => {
    const fresh = await createTestApp();
    acme = await fresh.org("metrics-list");
    app = fresh;
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await createRunOk(acme, { projectName: "m", name: `r${i}` })).run);
    for (const r of runs) await logSteps(acme, r.runId, "loss", [0, 1, 2], (s) => s + r.runId);
    const small = await measure(LIST);
    for (let i = 0; i < 27; i++) {
      const r = (await createRunOk(acme, { projectName: "m", name: `more${i}` })).run;
      await logSteps(acme, r.runId, "loss", [0, 1, 2, 3]);
      if (i % 3 === 0) await forkRunOk(acme, { parentRunId: r.runId, step: 1 });
    }
    const large = await measure(LIST);
    expect(large.data.runs.nodes).toHaveLength(39);
    expect(large.data.runs.nodes.filter((n: any) => n.metric?.summary.lastStep === 1)).toHaveLength(9); // the forks
    expect(large.ops).toEqual(small.ops);
    // The run list, all summaries, the loss summaries, the chains, the windows of the
    // ownOnly buckets, every run's buckets.
    expect(large.ops).toMatchInlineSnapshot(`
      [
        "Run.findMany",
        "sql",
        "sql",
        "sql",
        "sql",
        "sql",
      ]
    `);
    // Each run's buckets, read together, are the ones it gets alone.
    for (const node of large.data.runs.nodes) {
      const alone = await acme.gql(ONE, { id: node.runId });
      expect({ spark: node.spark, own: node.own }).toEqual(alone.data.run);
    }
  });
});

describe("a mutation's run", () => {
  const CREATE = `mutation($input: CreateRunInput!) { createRun(input: $input) {
    ... on CreateRunSuccess { resumed run { runId number displayId url forkStep forkedFrom { runId } } } } }`;

  it("is answered from the row the create wrote: no second read, on create, resume and the transactional path", async () => {
    const fresh = await createTestApp();
    const org = await fresh.org("in-hand");
    const limited = await fresh.org("in-hand-limited", { runLimit: 10 });
    for (const [who, input] of [
      [org, { projectName: "my-ml-project", name: "a", externalId: "job" }],
      [org, { projectName: "my-ml-project", name: "a", externalId: "job" }], // resume
      [limited, { projectName: "my-ml-project", name: "b" }], // a limit: the transaction
    ] as const) {
      fresh.operations.length = 0;
      const res = await who.gql(CREATE, { input });
      const run = res.data.createRun.run;
      expect(run.displayId).toMatch(/^MMP-\d+$/);
      expect(run.url).toMatch(/\/projects\/my-ml-project\/[A-Za-z0-9]{5,}$/);
      expect(run.forkedFrom).toBeNull();
      expect(fresh.operations.filter((op) => /^Run\.find|^Project\.find/.test(op))).toEqual([]);
    }
  });

  it("is read again when the selection asks for more than the row holds", async () => {
    const fresh = await createTestApp();
    const org = await fresh.org("in-hand-more");
    fresh.operations.length = 0;
    const res = await org.gql(`mutation { createRun(input: { projectName: "p", name: "x" }) {
      ... on CreateRunSuccess { run { project { name runPrefix createdAt } forks { totalCount } } } } }`);
    expect(res.data.createRun.run.project.name).toBe("p");
    expect(res.data.createRun.run.forks.totalCount).toBe(0);
    expect(fresh.operations).toContain("Run.findUniqueOrThrow");
  });
});

describe("the viewer's organization", () => {
  it("is answered from the authenticated key when it asks only what the key knows, and follows a rename", async () => {
    const fresh = await createTestApp();
    const org = await fresh.org("who-am-i");
    fresh.operations.length = 0;
    const me = await org.gql("{ viewer { organization { id slug name } } }");
    expect(me.data.viewer.organization).toMatchObject({ slug: "who-am-i", name: "who-am-i" });
    expect(fresh.operations).toEqual([]);

    // Anything else the key does not hold is read.
    const more = await org.gql("{ viewer { organization { slug runLimit runCount createdAt } } }");
    expect(more.data.viewer.organization).toMatchObject({ slug: "who-am-i", runLimit: null, runCount: 0 });
    // One statement for the three fields beyond what the key holds.
    expect(fresh.operations).toEqual(["Organization.findUniqueOrThrow"]);

    // A rename made outside the gateway reaches the answer (the key cache is told to forget).
    await fresh.db.sql.query(`UPDATE organizations SET name = 'Renamed' WHERE slug = 'who-am-i'`);
    for (let i = 0; i < 100; i++) {
      if ((await org.gql("{ viewer { organization { name } } }")).data.viewer.organization.name === "Renamed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await org.gql("{ viewer { organization { name } } }")).data.viewer.organization.name).toBe("Renamed");
  });
});

describe("an organization by its global id", () => {
  it("is found by its own callers only, with fields beyond what the key holds", async () => {
    const fresh = await createTestApp();
    const a = await fresh.org("node-a");
    const b = await fresh.org("node-b");
    const id = (await a.gql("{ viewer { organization { id } } }")).data.viewer.organization.id;
    const mine = await a.gql(`{ node(id: "${id}") { ... on Organization { slug name runCount } } }`);
    expect(mine.data.node).toEqual({ slug: "node-a", name: "node-a", runCount: 0 });
    expect((await b.gql(`{ node(id: "${id}") { ... on Organization { slug } } }`)).data.node).toBeNull();
  });
});

describe("prepared statements", () => {
  it("run with generic plans on PostgreSQL (planned once per connection), other statements with the default", async () => {
    const mode = async (name?: string) =>
      (await app.db.sql.query<{ m: string }>("SELECT current_setting('plan_cache_mode') AS m", [], name))[0]!.m;
    expect(await mode()).toBe("auto");
    expect(await app.prisma.$queryRaw<{ m: string }[]>`SELECT current_setting('plan_cache_mode') AS m`).toEqual([{ m: "auto" }]);
    // PGlite has one connection, with the default: there every statement is planned at each execution.
    expect(await mode("test_plan_cache_mode")).toBe(app.db.kind === "postgres" ? "force_generic_plan" : "auto");
  });
});
