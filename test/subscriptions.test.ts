import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, logSteps } from "./helpers/runs.js";
import { readSse, type SseSubscription } from "./helpers/sse.js";
import { PUBLIC_URL, createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
let rival: TestOrg;
const open: SseSubscription[] = [];

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  rival = await app.org("rival");
});
afterEach(() => open.splice(0).forEach((s) => s.close()));

async function subscribe(org: TestOrg | null, query: string, variables: Record<string, unknown> = {}) {
  const abort = new AbortController();
  const res = await app.yoga.fetch(`${PUBLIC_URL}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...(org ? { authorization: `Bearer ${org.key}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const sub = readSse(res, abort);
  open.push(sub);
  return sub;
}

const STATE = `subscription($p: String!) { runStateChanged(projectName: $p) { runId fromState toState source run { name state } } }`;

describe("subscriptions over SSE", () => {
  it("runStateChanged: creation and every applied change of the project's runs", async () => {
    const sub = await subscribe(acme, STATE, { p: "live" });
    const { run } = await createRunOk(acme, { projectName: "live", name: "watched" });
    expect((await sub.next()).data.runStateChanged).toEqual({ runId: run.runId, fromState: null, toState: "RUNNING", source: "API", run: { name: "watched", state: "RUNNING" } });
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "COMPLETED" } });
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "COMPLETED" } }); // no change: no event
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "FAILED" } });
    expect((await sub.next()).data.runStateChanged).toMatchObject({ fromState: "RUNNING", toState: "COMPLETED" });
    expect((await sub.next()).data.runStateChanged).toMatchObject({ fromState: "COMPLETED", toState: "FAILED" });
    await createRunOk(acme, { projectName: "live", name: "watched", externalId: "x" });
  });

  it("runUpdated: the run after each change", async () => {
    const { run } = await createRunOk(acme, { projectName: "live" });
    const sub = await subscribe(acme, `subscription($id: Int!) { runUpdated(runId: $id) { runId name storageState } }`, { id: run.runId });
    await acme.gql(`mutation($id:Int!){ updateRun(input:{runId:$id, name:"renamed"}){ __typename } }`, { id: run.runId });
    expect((await sub.next()).data.runUpdated).toEqual({ runId: run.runId, name: "renamed", storageState: "AVAILABLE" });
    await acme.gql(`mutation($id:Int!){ archiveRun(runId:$id){ __typename } }`, { id: run.runId });
    expect((await sub.next()).data.runUpdated.storageState).toBe("ARCHIVED");
  });

  it("runUpdated: each event reads the run's history and metrics again, not the first event's", async () => {
    const { run } = await createRunOk(acme, { projectName: "live", initialState: "RUNNING" });
    const sub = await subscribe(
      acme,
      `subscription($id: Int!) { runUpdated(runId: $id) { state stateHistory(last: 2) { totalCount nodes { toState } } metrics { name count } } }`,
      { id: run.runId },
    );
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "PAUSED" } });
    expect((await sub.next()).data.runUpdated).toEqual({ state: "PAUSED", stateHistory: { totalCount: 2, nodes: [{ toState: "RUNNING" }, { toState: "PAUSED" }] }, metrics: [] });
    await logSteps(acme, run.runId, "loss", [0, 1]);
    await acme.gql(UPDATE_STATE, { input: { runId: run.runId, state: "RUNNING" } });
    expect((await sub.next()).data.runUpdated).toEqual({
      state: "RUNNING",
      stateHistory: { totalCount: 3, nodes: [{ toState: "PAUSED" }, { toState: "RUNNING" }] },
      metrics: [{ name: "loss", count: 2 }],
    });
  });

  it("metricsLogged: one event per call, filtered by name", async () => {
    const { run } = await createRunOk(acme, { projectName: "live" });
    const all = await subscribe(acme, `subscription($id: Int!) { metricsLogged(runId: $id) { runId names points maxStep } }`, { id: run.runId });
    const accOnly = await subscribe(acme, `subscription($id: Int!) { metricsLogged(runId: $id, names: ["acc"]) { names points } }`, { id: run.runId });
    await logSteps(acme, run.runId, "loss", [0, 1, 2]);
    await logSteps(acme, run.runId, "acc", [5]);
    expect((await all.next()).data.metricsLogged).toEqual({ runId: run.runId, names: ["loss"], points: 3, maxStep: 2 });
    expect((await all.next()).data.metricsLogged).toEqual({ runId: run.runId, names: ["acc"], points: 1, maxStep: 5 });
    expect((await accOnly.next()).data.metricsLogged).toEqual({ names: ["acc"], points: 1 });
  });

  it("another organization hears nothing of this one's runs", async () => {
    const { run } = await createRunOk(acme, { projectName: "shared-name" });
    const rivalState = await subscribe(rival, STATE, { p: "shared-name" });
    const rivalRun = await subscribe(rival, `subscription($id: Int!) { runUpdated(runId: $id) { runId } }`, { id: run.runId });
    await createRunOk(acme, { projectName: "shared-name" });
    await acme.gql(`mutation($id:Int!){ updateRun(input:{runId:$id, name:"x"}){ __typename } }`, { id: run.runId });
    // The first event the rival gets is its own.
    const own = await createRunOk(rival, { projectName: "shared-name" });
    expect((await rivalState.next()).data.runStateChanged.runId).toBe(own.run.runId);
    await expect(rivalRun.next(300)).rejects.toThrow(/no event/);
  });

  it("without a key: UNAUTHENTICATED", async () => {
    const sub = await subscribe(null, STATE, { p: "live" });
    const first = await sub.next();
    expect(first.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("subscriptions over WebSocket (graphql-ws)", () => {
  it("delivers the same events, with the key in connectionParams, and refuses without it", async () => {
    const { createClient } = await import("graphql-ws");
    const { WebSocket } = await import("ws");
    const { listen } = await import("./helpers/http.js");
    const base = await listen(app.yoga);
    const url = `${base.replace("http", "ws")}/graphql`;
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${acme.key}` }, lazy: true, retryAttempts: 0 });
    const events = client.iterate({ query: STATE, variables: { p: "ws-live" } });
    const first = events.next();
    // The server registers the subscription a moment after connecting: write until heard.
    const created: number[] = [];
    let done = false;
    const writer = (async () => {
      for (let i = 0; i < 30 && !done; i++) {
        created.push((await createRunOk(acme, { projectName: "ws-live", name: "over-ws" })).run.runId);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const heard = (await first).value as any;
    done = true;
    await writer;
    expect(heard?.data?.runStateChanged?.toState).toBe("RUNNING");
    expect(created).toContain(heard.data.runStateChanged.runId);
    await events.return?.();
    await client.dispose();

    const anonymous = createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    const refused = await anonymous.iterate({ query: STATE, variables: { p: "ws-live" } }).next().then(
      (r) => r.value,
      (e) => e,
    );
    expect(JSON.stringify(refused)).toMatch(/UNAUTHENTICATED|Unauthorized/);
    await anonymous.dispose();
  });
});
