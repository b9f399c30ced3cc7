import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, forkRunOk, logSteps, range } from "./helpers/runs.js";
import { createTestApp, type GqlResponse, type TestApp, type TestOrg } from "./helpers/test-app.js";

// A project's runs are one plain statement (src/domain/run-list.ts); Query.runs reads the same
// lists through Prisma. The two must give the same pages for any filter, order and paging:
// walked to the end forward (first/after) and back (last/before), page by page, over runs
// with tied creation times, null numbers and timestamps (ordered last either way), names
// holding LIKE's wildcards, tags, groups, archived runs and forks.

let app: TestApp;
let acme: TestOrg;
let other: TestOrg;
const runIds: number[] = [];
const NAMES = ["50% off", "a_b", "axb", "A\\B", "plain", "Plain", "zeta", "50x off"];

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("lists");
  other = await app.org("lists-other");
  for (let i = 0; i < 14; i++) {
    const { run } = await createRunOk(acme, {
      projectName: "a",
      name: NAMES[i % NAMES.length],
      tags: i % 3 === 0 ? ["t1"] : i % 3 === 1 ? ["t2", "t1"] : [],
      runGroup: i % 4 === 0 ? "g" : undefined,
      externalId: i % 5 === 0 ? `ext-${i}` : undefined,
    });
    runIds.push(run.runId);
    if (i % 3 === 1) await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "RUNNING" } });
    if (i % 6 === 1) await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "COMPLETED" } });
  }
  for (const parent of [runIds[2]!, runIds[2]!, runIds[7]!]) runIds.push((await forkRunOk(acme, { parentRunId: parent, step: 0 })).runId);
  await createRunOk(acme, { projectName: "b", name: "elsewhere" });
  await createRunOk(other, { projectName: "a", name: "plain" });
  await acme.gql(`mutation($id: Int!) { archiveRun(runId: $id) { __typename } }`, { id: runIds[3] });
  await acme.gql(`mutation($id: Int!) { archiveRun(runId: $id) { __typename } }`, { id: runIds[9] });
  // Ties and nulls that the mutations do not make: runs created in the same millisecond, and
  // runs without a number or a state change.
  await app.db.sql.query(`UPDATE runs SET created_at = '2026-01-01T00:00:00Z' WHERE id = ANY($1::int[])`, [runIds.filter((_, i) => i % 2 === 0)]);
  await app.db.sql.query(`UPDATE runs SET number = NULL WHERE id = ANY($1::int[])`, [[runIds[1], runIds[4], runIds[5]]]);
  await app.db.sql.query(`UPDATE runs SET state_updated_at = NULL WHERE id = ANY($1::int[])`, [[runIds[6], runIds[8]]]);
});

const FIELDS = ["CREATED_AT", "UPDATED_AT", "NUMBER", "NAME", "STATE", "STATE_UPDATED_AT", "STARTED_AT", "FINISHED_AT", "RUN_ID"] as const;

// A filter of at most two conditions: more leave too few runs to page through.
const condition = fc.oneof(
  fc.record({ states: fc.subarray(["PENDING", "RUNNING", "COMPLETED"], { minLength: 1 }) }),
  fc.record({ tagsAny: fc.subarray(["t1", "t2", "none"], { minLength: 1 }) }),
  fc.record({ runGroup: fc.constantFrom("g", "none") }),
  fc.record({ nameContains: fc.constantFrom("50%", "a_b", "_", "%", "\\", "plain", "off") }),
  fc.record({ createdAfter: fc.constantFrom("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.001Z") }),
  fc.record({ createdBefore: fc.constantFrom("2026-01-01T00:00:00.001Z", "2100-01-01T00:00:00Z") }),
  fc.record({ archived: fc.boolean() }),
  fc.record({ includeArchived: fc.boolean() }),
  fc.record({ forkedFromRunId: fc.constant(-1) }),
  fc.record({ externalId: fc.constantFrom("ext-0", "ext-5", "nope") }),
);

const list = fc.record({
  filter: fc.array(condition, { maxLength: 2 }).map((conditions) => Object.assign({}, ...conditions) as Record<string, unknown>),
  orderBy: fc.array(fc.record({ field: fc.constantFrom(...FIELDS), direction: fc.constantFrom("ASC", "DESC") }), { maxLength: 3 }),
  size: fc.integer({ min: 1, max: 6 }),
  backward: fc.boolean(),
});

const PAGE = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { runId }`;
const NESTED = `query($filter: RunFilter, $orderBy: [RunOrder!], $first: Int, $last: Int, $after: String, $before: String) {
  project(name: "a") { runs(filter: $filter, orderBy: $orderBy, first: $first, last: $last, after: $after, before: $before) { ${PAGE} } } }`;
const REFERENCE = `query($filter: RunFilter, $orderBy: [RunOrder!], $first: Int, $last: Int, $after: String, $before: String) {
  runs(projectName: "a", filter: $filter, orderBy: $orderBy, first: $first, last: $last, after: $after, before: $before) { ${PAGE} } }`;

describe("a project's runs, one plain statement", () => {
  it("pages as Query.runs (Prisma) does, for any filter, order and page size, both ways", async () => {
    await fc.assert(
      fc.asyncProperty(list, async ({ filter, orderBy, size, backward }) => {
        const vars: Record<string, unknown> = { ...filter, forkedFromRunId: filter.forkedFromRunId === undefined ? undefined : runIds[2] };
        let cursor: string | null = null;
        let seen = 0;
        for (let pages = 0; pages < 30; pages++) {
          const args: Record<string, unknown> = backward ? { last: size, before: cursor } : { first: size, after: cursor };
          const variables: Record<string, unknown> = { filter: vars, orderBy, ...args };
          const [nested, reference]: [GqlResponse, GqlResponse] = await Promise.all([acme.gql(NESTED, variables), acme.gql(REFERENCE, variables)]);
          expect(nested.errors).toBeUndefined();
          expect(reference.errors).toBeUndefined();
          const page: { nodes: unknown[]; pageInfo: Record<string, any> } = nested.data.project.runs;
          expect(page, JSON.stringify(variables)).toEqual(reference.data.runs);
          seen += page.nodes.length;
          const more = backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
          if (!more) break;
          cursor = backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
        }
        // Every run of the list was on some page, and the count alone is the same.
        const all = await acme.gql(REFERENCE, { filter: vars, orderBy, first: 100 });
        expect(seen).toBe(all.data.runs.totalCount);
        const count = await acme.gql(`query($filter: RunFilter) { project(name: "a") { runs(filter: $filter) { totalCount } } }`, { filter: vars });
        expect(count.data.project.runs.totalCount).toBe(seen);
      }),
      { numRuns: 100 },
    );
  });

  it("matches nameContains as plain text: LIKE's wildcards match themselves", async () => {
    for (const [text, names] of [["50%", ["50% off"]], ["a_b", ["a_b"]], ["\\", ["A\\B"]]] as const) {
      const res = await acme.gql(`query($text: String!) { project(name: "a") { runs(filter: { nameContains: $text }) { nodes { name } } }
        runs(projectName: "a", filter: { nameContains: $text }) { nodes { name } } }`, { text });
      expect(new Set(res.data.project.runs.nodes.map((n: any) => n.name)), text).toEqual(new Set(names));
      expect(new Set(res.data.runs.nodes.map((n: any) => n.name)), text).toEqual(new Set(names));
    }
  });

  it("a project answers the same by name (one plain statement), in the list and by node id (Prisma)", async () => {
    const FIELDS_OF_PROJECT = "id projectId name runPrefix tags createdAt updatedAt runCount";
    const res = await acme.gql(`{ project(name: "a") { ${FIELDS_OF_PROJECT} } projects(first: 10) { nodes { ${FIELDS_OF_PROJECT} } } }`);
    expect(res.errors).toBeUndefined();
    const byName = res.data.project;
    expect(byName).toMatchObject({ name: "a", runCount: 17 }); // archived runs count too
    expect(res.data.projects.nodes.find((p: any) => p.name === "a")).toEqual(byName);
    const byNode = await acme.gql(`query($id: ID!) { node(id: $id) { ... on Project { ${FIELDS_OF_PROJECT} } } }`, { id: byName.id });
    expect(byNode.data.node).toEqual(byName);
    const theirs = await acme.gql(`{ project(name: "nope") { id } }`);
    expect(theirs).toEqual({ data: { project: null } });
  });

  it("reads a project with the run list it shows in one statement, and each apart where it cannot", async () => {
    const FIELDS_OF_PROJECT = "id projectId name runPrefix tags createdAt updatedAt runCount";
    const alone = (await acme.gql(`{ project(name: "a") { ${FIELDS_OF_PROJECT} } }`)).data.project;
    const reference = (await acme.gql(`{ runs(projectName: "a", first: 4) { ${PAGE} } }`)).data.runs;
    app.operations.length = 0;
    const res = await acme.gql(`{ project(name: "a") { ${FIELDS_OF_PROJECT} runs(first: 4) { ${PAGE} } } }`);
    expect(res.errors).toBeUndefined();
    expect(app.operations).toEqual(["sql"]);
    const { runs, ...project } = res.data.project;
    expect(project).toEqual(alone);
    expect(runs).toEqual(reference);
    // No such project (or another organization's): null, still one statement.
    app.operations.length = 0;
    expect(await acme.gql(`{ project(name: "nope") { name runs { nodes { runId } } } }`)).toEqual({ data: { project: null } });
    expect(app.operations).toEqual(["sql"]);
    const theirs = await other.gql(`{ project(name: "a") { runCount runs { totalCount nodes { name } } } }`);
    expect(theirs.data.project).toEqual({ runCount: 1, runs: { totalCount: 1, nodes: [{ name: "plain" }] } });
    // A list with no run in it.
    const none = await acme.gql(`{ project(name: "a") { name runs(filter: { externalId: "nope" }) { totalCount nodes { runId } } } }`);
    expect(none.data.project).toEqual({ name: "a", runs: { totalCount: 0, nodes: [] } });
    // Two lists: the project, then each list.
    app.operations.length = 0;
    const two = await acme.gql(`{ project(name: "a") { first: runs(first: 1) { nodes { runId } } last: runs(last: 1) { nodes { runId } } } }`);
    expect(app.operations).toEqual(["sql", "sql", "sql"]);
    const ends = (await acme.gql(`{ f: runs(projectName: "a", first: 1) { nodes { runId } } l: runs(projectName: "a", last: 1) { nodes { runId } } }`)).data;
    expect(two.data.project).toEqual({ first: ends.f, last: ends.l });
    // A list that a directive skips is not read.
    app.operations.length = 0;
    const skipped = await acme.gql(`query($show: Boolean!) { project(name: "a") { name runs @include(if: $show) { nodes { runId } } } }`, { show: false });
    expect(skipped.data.project).toEqual({ name: "a" });
    expect(app.operations).toEqual(["sql"]);
    // Arguments the list refuses: its own error, as when it is read apart.
    for (const args of ["first: -1", 'after: "not a cursor"', 'first: 1, before: "x"']) {
      const bad = await acme.gql(`{ project(name: "a") { name runs(${args}) { nodes { runId } } } }`);
      const apart = await acme.gql(`query($id: ID!) { node(id: $id) { ... on Project { name runs(${args}) { nodes { runId } } } } }`, { id: alone.id });
      expect(apart.errors?.[0]?.message, args).toBeTruthy();
      expect(bad.errors?.[0]?.message, args).toBe(apart.errors?.[0]?.message);
      expect(bad.errors?.[0]?.extensions?.code, args).not.toBe("INTERNAL_SERVER_ERROR");
    }
  });

  it("reads one organization's runs: a cursor naming another's run gives an empty page", async () => {
    const other = await app.org("lists-cursor");
    const { run } = await createRunOk(other, { projectName: "a", name: "theirs" });
    const cursor = Buffer.from(`GPC:N:${run.runId}`).toString("base64");
    const res = await acme.gql(NESTED, { first: 5, after: cursor });
    expect(res.errors).toBeUndefined();
    expect(res.data.project.runs.nodes).toEqual([]);
    expect(res.data.project.runs.totalCount).toBe(15); // the available runs of "a" (17, 2 archived), its own only
  });

  it("reads the same page of every project in one statement, with lineage and count", async () => {
    app.operations.length = 0;
    const res = await acme.gql(`{ projects(first: 10) { nodes { runs(first: 3) { totalCount nodes { runId forkedFrom { runId } forks { totalCount } } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.projects.nodes.map((p: any) => p.runs.totalCount).sort()).toEqual([1, 15]);
    expect(app.operations).toEqual(["Project.findMany", "sql"]);
  });

  it("reads each run's state history page and metric summaries with the list, as each run alone reads them", async () => {
    // A project of its own: runs with metrics (NaN, ±Infinity, names with LIKE's and the
    // encoding's separators), forks inheriting them from a cut inside a series, and state
    // changes with errors and metadata.
    const root = (await createRunOk(acme, { projectName: "parts", name: "root", initialState: "RUNNING" })).run.runId;
    await logSteps(acme, root, "loss", range(0, 30), (s) => 1 / (s + 1));
    await logSteps(acme, root, "a,b;c", [1, 2, 3], (s) => (s === 2 ? "NaN" : s === 3 ? "Infinity" : -s));
    const fork = (await forkRunOk(acme, { parentRunId: root, step: 12 })).runId;
    await logSteps(acme, fork, "loss", range(13, 20), () => 0.5);
    const grandchild = (await forkRunOk(acme, { parentRunId: fork, step: 15 })).runId;
    const plain = (await createRunOk(acme, { projectName: "parts", name: "plain" })).run.runId;
    await acme.gql(UPDATE_STATE, { input: { runId: root, state: "FAILED", error: { code: "E", message: "a;b,c" }, metadata: { k: "v;w" } } });
    await acme.gql(UPDATE_STATE, { input: { runId: fork, state: "RUNNING" } });
    for (const id of [root, fork, grandchild, plain]) expect(id).toBeGreaterThan(0);

    const shows = [
      "stateHistory(last: 2) { nodes { fromState toState at } }",
      "stateHistory(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { toState source error { code message } metadata } } }",
      "stateHistory(last: 1, before: $cursor) { nodes { toState } }",
      "metrics { name count min max last }",
      "metrics { name last } history: stateHistory { totalCount nodes { toState } }",
    ];
    const cursor = (await acme.gql(`query($id: Int!) { run(runId: $id) { stateHistory(last: 1) { pageInfo { startCursor } } } }`, { id: root })).data.run.stateHistory.pageInfo
      .startCursor;
    for (const fields of shows) {
      app.operations.length = 0;
      const vars = fields.includes("$cursor") ? "($cursor: String)" : "";
      const listed = await acme.gql(`query${vars} { project(name: "parts") { runs(first: 10) { nodes { runId ${fields} } } } }`, { cursor });
      expect(listed.errors, fields).toBeUndefined();
      // The project with its runs and everything they show.
      expect(app.operations, fields).toEqual(["sql"]);
      const nodes = listed.data.project.runs.nodes;
      expect(nodes).toHaveLength(4);
      for (const node of nodes) {
        const alone = await acme.gql(`query($id: Int!${vars ? ", $cursor: String" : ""}) { run(runId: $id) { runId ${fields} } }`, { id: node.runId, cursor });
        expect(node, fields).toEqual(alone.data.run);
      }
    }
    const loss = (id: number) => nodesOf(id).metrics.find((m: any) => m.name === "loss");
    const last = await acme.gql(`{ project(name: "parts") { runs { nodes { runId metrics { name count last } } } } }`);
    const nodesOf = (id: number) => last.data.project.runs.nodes.find((n: any) => n.runId === id);
    // The grandchild inherits the root's steps 0-12 and the fork's 13-15.
    expect(loss(grandchild)).toEqual({ name: "loss", count: 16, last: 0.5 });
    expect(loss(plain)).toBeUndefined();
  });

  it("leaves each state history field to read its own page when the list's runs show several", async () => {
    app.operations.length = 0;
    const res = await acme.gql(`{ project(name: "parts") { runs { nodes { runId a: stateHistory(first: 1) { nodes { toState } } b: stateHistory(last: 1) { nodes { toState } } } } } }`);
    expect(res.errors).toBeUndefined();
    // The project with its runs, then each state history page.
    expect(app.operations).toEqual(["sql", "sql", "sql"]);
    for (const node of res.data.project.runs.nodes) expect(node.a.nodes).toHaveLength(1);
    // Arguments a state history refuses: its own error, as when it reads alone.
    for (const args of ['first: 1, before: "x"', 'after: "not a cursor"']) {
      const bad = await acme.gql(`{ project(name: "parts") { runs { nodes { stateHistory(${args}) { nodes { toState } } } } } }`);
      const alone = await acme.gql(`query($id: Int!) { run(runId: $id) { stateHistory(${args}) { nodes { toState } } } }`, { id: res.data.project.runs.nodes[0].runId });
      expect(alone.errors?.[0]?.message).toBeTruthy();
      expect(bad.errors?.[0]?.message, args).toBe(alone.errors?.[0]?.message);
      expect(bad.errors?.[0]?.extensions?.code).not.toBe("INTERNAL_SERVER_ERROR");
    }
  });
});

