import { beforeAll, describe, expect, it } from "vitest";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// A run's stateHistory pages like every connection of the schema (Relay cursors, first/after
// forward, last/before back), and a list of runs reads every run's page together.

let app: TestApp;
let acme: TestOrg;
let runId: number;
/** Every event of the run, oldest first, as one page returns them. */
let all: { toState: string; cursor: string }[];

const PAGE = `query($id: Int!, $first: Int, $after: String, $last: Int, $before: String) {
  run(runId: $id) { stateHistory(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { toState } } } } }`;

async function page(vars: Record<string, unknown>) {
  const res = await acme.gql(PAGE, { id: runId, ...vars });
  expect(res.errors).toBeUndefined();
  const h = res.data.run.stateHistory;
  return { ...h, events: h.edges.map((e: any) => ({ toState: e.node.toState, cursor: e.cursor })) };
}

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  runId = (await createRunOk(acme, { projectName: "h", initialState: "RUNNING" })).run.runId;
  for (const state of ["PAUSED", "RUNNING", "PAUSED", "RUNNING", "PAUSED", "RUNNING", "COMPLETED"]) {
    const r = await acme.gql(UPDATE_STATE, { input: { runId, state } });
    expect(r.data.updateRunState.applied).toBe(true);
  }
  all = (await page({ first: 100 })).events;
});

describe("stateHistory", () => {
  it("holds every change, oldest first, at the time it was made", async () => {
    expect(all.map((e) => e.toState)).toEqual(["RUNNING", "PAUSED", "RUNNING", "PAUSED", "RUNNING", "PAUSED", "RUNNING", "COMPLETED"]);
    expect(new Set(all.map((e) => e.cursor)).size).toBe(all.length);
    // The creation's event is dated with the run's creation, to the millisecond.
    const res = await acme.gql(`query($id: Int!) { run(runId: $id) { createdAt stateHistory(first: 2) { nodes { at } } } }`, { id: runId });
    expect(res.data.run.stateHistory.nodes[0].at).toBe(res.data.run.createdAt);
    expect(Date.parse(res.data.run.stateHistory.nodes[1].at)).toBeGreaterThanOrEqual(Date.parse(res.data.run.createdAt));
  });

  it("pages forward with first and after, whatever the page size", async () => {
    for (const size of [1, 2, 3, 5, 8, 9]) {
      const seen = [];
      let after: string | null = null;
      for (;;) {
        const p = await page({ first: size, after });
        expect(p.totalCount).toBe(all.length);
        expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
        seen.push(...p.events);
        expect(p.pageInfo.hasNextPage).toBe(seen.length < all.length);
        expect(p.pageInfo.endCursor).toBe(p.events.at(-1)?.cursor ?? null);
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
      }
      expect(seen).toEqual(all);
    }
  });

  it("pages back with last and before, each page oldest first", async () => {
    for (const size of [1, 3, 4, 8, 20]) {
      const seen: typeof all = [];
      let before: string | null = null;
      for (;;) {
        const p = await page({ last: size, before });
        expect(p.pageInfo.hasNextPage).toBe(before !== null);
        seen.unshift(...p.events);
        expect(p.pageInfo.hasPreviousPage).toBe(seen.length < all.length);
        expect(p.pageInfo.startCursor).toBe(p.events[0]?.cursor ?? null);
        if (!p.pageInfo.hasPreviousPage) break;
        before = p.pageInfo.startCursor;
      }
      expect(seen).toEqual(all);
    }
  });

  it("gives the default page without first or last, and an empty page for first: 0", async () => {
    const whole = await page({});
    expect(whole.events).toEqual(all);
    expect(whole.pageInfo.hasNextPage).toBe(false);
    const none = await page({ first: 0 });
    expect(none.events).toEqual([]);
    expect(none.pageInfo.hasNextPage).toBe(true);
    expect(none.totalCount).toBe(all.length);
  });

  it("answers bad arguments and cursors with a named error, never an internal one", async () => {
    const base64 = (s: string) => Buffer.from(s).toString("base64");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ first: -1 }, /"first" must be a non-negative integer/],
      [{ last: -2 }, /"last" must be a non-negative integer/],
      [{ first: 2, before: all[3]!.cursor }, /"before" and "first"/],
      [{ last: 2, after: all[3]!.cursor }, /"after" and "last"/],
      [{ after: all[1]!.cursor, before: all[3]!.cursor }, /"before" and "after"/],
      [{ after: "not a cursor" }, /Invalid cursor/],
      [{ after: base64("GPC:S:abc") }, /Invalid cursor/],
      [{ before: base64("GPC:N:99999999999999999999") }, /Invalid cursor/],
      [{ after: base64("GPC:N:1.5") }, /Invalid cursor/],
    ];
    for (const [vars, message] of cases) {
      const res = await acme.gql(PAGE, { id: runId, ...vars });
      expect(res.errors?.[0]?.message, JSON.stringify(vars)).toMatch(message);
      expect(res.errors?.[0]?.extensions?.code).not.toBe("INTERNAL_SERVER_ERROR");
    }
  });

  it("of every run of a list is the page the run gets alone, read in one statement", async () => {
    const project = "list";
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const id = (await createRunOk(acme, { projectName: project, name: `r${i}`, initialState: "RUNNING" })).run.runId;
      for (let j = 0; j < i * 2; j++) await acme.gql(UPDATE_STATE, { input: { runId: id, state: j % 2 ? "RUNNING" : "PAUSED" } });
      ids.push(id);
    }
    const LIST = `query($p: String!) { project(name: $p) { runs(first: 10) { nodes { runId
      recent: stateHistory(last: 3) { totalCount pageInfo { hasPreviousPage } nodes { toState } }
      first: stateHistory(first: 2) { pageInfo { hasNextPage } nodes { fromState toState } } } } } }`;
    const ONE = `query($id: Int!) { run(runId: $id) {
      recent: stateHistory(last: 3) { totalCount pageInfo { hasPreviousPage } nodes { toState } }
      first: stateHistory(first: 2) { pageInfo { hasNextPage } nodes { fromState toState } } } }`;
    app.operations.length = 0;
    const list = await acme.gql(LIST, { p: project });
    expect(list.errors).toBeUndefined();
    // The project with its runs (one plain statement: run-list.ts), then one statement per
    // distinct page (last 3, first 2), not one per run.
    expect(app.operations).toEqual(["sql", "sql", "sql"]);
    const nodes = list.data.project.runs.nodes;
    expect(nodes.map((n: any) => n.recent.totalCount).sort()).toEqual([1, 3, 5, 7]);
    for (const node of nodes) {
      const alone = await acme.gql(ONE, { id: node.runId });
      expect({ recent: node.recent, first: node.first }).toEqual(alone.data.run);
    }
  });

  it("gives each event's source, error and metadata when the selection reads them, however it reaches them", async () => {
    const id = (await createRunOk(acme, { projectName: "details", initialState: "RUNNING" })).run.runId;
    const metadata = { note: "a,b;c", nested: [1, null, "x"] };
    const failed = await acme.gql(UPDATE_STATE, {
      input: { runId: id, state: "FAILED", metadata, error: { code: "OOM", message: "out of memory; rank 3, step 7", details: { rank: 3 } } },
    });
    expect(failed.data.updateRunState.applied).toBe(true);
    const expected = [
      { fromState: null, toState: "RUNNING", source: "API", error: null, metadata: null },
      { fromState: "RUNNING", toState: "FAILED", source: "API", error: { code: "OOM", message: "out of memory; rank 3, step 7", details: { rank: 3 } }, metadata },
    ];
    const asked = [
      `query($id: Int!) { run(runId: $id) { stateHistory(first: 5) { nodes { fromState toState source error { code message details } metadata at } } } }`,
      `query($id: Int!) { run(runId: $id) { stateHistory(last: 5) { edges { node { ...E } } } } }
       fragment E on RunStateEvent { fromState toState ... on RunStateEvent { source error { code message details } metadata at } }`,
    ];
    const answers = [];
    for (const query of asked) {
      const res = await acme.gql(query, { id });
      expect(res.errors).toBeUndefined();
      const h = res.data.run.stateHistory;
      answers.push(h.nodes ?? h.edges.map((e: any) => e.node));
    }
    for (const events of answers) expect(events.map(({ at: _, ...e }: any) => e)).toEqual(expected);
    expect(answers[1]).toEqual(answers[0]);
    // Without them, the same events, states and times.
    const bare = await acme.gql(`query($id: Int!) { run(runId: $id) { stateHistory(first: 5) { nodes { fromState toState at } } } }`, { id });
    expect(bare.data.run.stateHistory.nodes).toEqual(answers[0].map(({ fromState, toState, at }: any) => ({ fromState, toState, at })));
  });

  it("is not readable through another organization's key", async () => {
    const other = await app.org("other");
    const res = await other.gql(PAGE, { id: runId, first: 5 });
    expect(res.errors).toBeUndefined();
    expect(res.data.run).toBeNull();
  });
});
