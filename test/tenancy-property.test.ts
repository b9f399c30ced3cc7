import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, PUBLIC_URL, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Tenancy as a property: random organizations, projects (names shared across them), runs
// with externalIds, tags, metrics and forks. An attacker tries every way in to the other
// organizations' runs: global ids, runId, displayId, externalId, nested fields, filters,
// a subscription, every REST route. The oracle is differential: every answer the attacker
// gets must be byte for byte the answer it gets once those organizations are deleted. So
// no answer, count or error message tells that the thing exists. And the probes write
// nothing.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

interface Target {
  runId: number;
  id: string;
  projectId: string;
  displayId: string;
  projectName: string;
  externalId: string;
  tag: string;
}

const PROJECTS = ["alpha", "beta", "shared"];

const world = fc.record({
  orgs: fc.integer({ min: 2, max: 3 }),
  attacker: fc.nat(),
  runs: fc.array(
    fc.record({
      org: fc.nat(),
      project: fc.constantFrom(...PROJECTS),
      externalId: fc.option(fc.constantFrom("job-1", "job-2"), { nil: undefined }),
      tags: fc.subarray(["t1", "t2", "group:g"]),
      metric: fc.boolean(),
      forkOf: fc.option(fc.nat(), { nil: undefined }),
    }),
    { minLength: 2, maxLength: 8 },
  ),
});

const QUERY = `query($runId: Int!, $id: ID!, $pid: ID!, $display: String!, $project: String!, $ext: String!, $tag: String!) {
  a: run(runId: $runId) { runId name }
  b: run(id: $id) { runId }
  c: node(id: $id) { id }
  d: node(id: $pid) { id }
  e: run(displayId: $display) { runId }
  f: run(displayId: $display, projectName: $project) { runId }
  g: run(externalId: $ext, projectName: $project) { runId }
  h: project(name: $project) { name runCount runs(first: 5) { totalCount nodes { runId forkedFrom { runId } forks { totalCount } } } }
  i: projects { totalCount nodes { name runCount } }
  j: runs(filter: { externalId: $ext, includeArchived: true }) { totalCount }
  k: runs(filter: { tagsAny: [$tag] }) { totalCount nodes { runId tags } }
  l: runs(projectName: $project) { totalCount }
  m: runs(filter: { forkedFromRunId: $runId }) { totalCount }
  n: viewer { organization { slug runCount } }
}`;

const MUTATION = `mutation($runId: Int!) {
  a: logMetrics(input: { runId: $runId, points: [{ name: "x", step: 1, value: 1 }] }) { __typename ... on Error { message } }
  b: updateRunState(input: { runId: $runId, state: FAILED }) { __typename ... on Error { message } }
  c: forkRun(input: { parentRunId: $runId, step: 0 }) { __typename ... on Error { message } }
  d: archiveRun(runId: $runId) { __typename ... on Error { message } }
  e: updateRun(input: { runId: $runId, name: "x" }) { __typename ... on Error { message } }
  f: cancelRun(runId: $runId) { __typename ... on Error { message } }
}`;

async function send(key: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await app.yoga.fetch(`${PUBLIC_URL}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body,
  });
  return `${res.status} ${await res.text()}`;
}

/** The first event of a subscription, or that none came within a moment. */
async function firstEvent(key: string, runId: number): Promise<string> {
  const controller = new AbortController();
  const res = await app.yoga.fetch(`${PUBLIC_URL}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: `subscription($id: Int!) { runUpdated(runId: $id) { runId name } }`, variables: { id: runId } }),
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  // Keep-alive comments (":") are not events.
  const read = async (): Promise<string> => {
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text || "(closed)";
      text += new TextDecoder().decode(value);
      const event = text.split("\n\n").find((e) => e && !e.startsWith(":"));
      if (event) return event;
    }
  };
  const first = await Promise.race([read(), new Promise<string>((r) => setTimeout(() => r("(no event)"), 200))]);
  controller.abort();
  await reader.cancel().catch(() => {});
  return `${res.status} ${first}`;
}

/** Everything the attacker can ask about one target. */
async function probe(key: string, t: Target): Promise<string[]> {
  const json = JSON.stringify;
  const q = encodeURIComponent;
  const vars = { runId: t.runId, id: t.id, pid: t.projectId, display: t.displayId, project: t.projectName, ext: t.externalId, tag: t.tag };
  const ndjson = { "content-type": "application/x-ndjson", "x-run-id": String(t.runId), "x-project-name": t.projectName };
  return [
    await send(key, "POST", "/graphql", json({ query: QUERY, variables: vars })),
    await send(key, "POST", "/graphql", json({ query: MUTATION, variables: { runId: t.runId } })),
    await firstEvent(key, t.runId),
    await send(key, "GET", `/api/runs/details/${t.runId}`),
    await send(key, "GET", `/api/runs/details/by-display-id/${q(t.displayId)}`),
    await send(key, "GET", `/api/runs/details/by-display-id/${q(t.displayId)}?projectName=${q(t.projectName)}`),
    await send(key, "GET", `/api/runs/list?projectName=${q(t.projectName)}&search=${q("run")}`),
    await send(key, "GET", `/api/runs/metrics?runId=${t.runId}&projectName=${q(t.projectName)}`),
    await send(key, "POST", "/api/runs/resume", json({ runId: t.runId })),
    await send(key, "POST", "/api/runs/resume", json({ displayId: t.displayId })),
    await send(key, "POST", "/api/runs/resume", json({ externalId: t.externalId, projectName: t.projectName })),
    await send(key, "POST", "/api/runs/status/update", json({ runId: t.runId, status: "COMPLETED" })),
    await send(key, "POST", "/api/runs/tags/update", json({ runId: t.runId, tags: ["x"] })),
    await send(key, "POST", "/api/runs/config/update", json({ runId: t.runId, config: '{"a": 1}' })),
    await send(key, "POST", "/api/runs/notes/update", json({ runId: t.runId, notes: "x" })),
    await send(key, "POST", "/api/runs/logName/add", json({ runId: t.runId, logName: ["x"], logType: "METRIC" })),
    await send(key, "POST", "/api/runs/trigger", json({ runId: t.runId })),
    await send(key, "POST", "/api/runs/alert", json({ runId: t.runId, alert: { level: "WARN", title: "x", body: "x" } })),
    await send(key, "POST", "/ingest/metrics", `{"time": 1, "step": 1, "data": {"x": 1}}\n`, ndjson),
    await send(key, "POST", "/ingest/logs", `{"time": 1, "message": "x", "lineNumber": 1, "logType": "INFO"}\n`, ndjson),
    await send(key, "POST", "/api/runs/create", json({ runName: "f", projectName: t.projectName, forkRunId: t.runId, forkStep: 0 })),
  ];
}

/** Every row that the probes could change, to check that they changed none. */
const snapshot = () =>
  Promise.all([
    app.counts(),
    app.prisma.run.findMany({ orderBy: { id: "asc" } }),
    app.prisma.runLogName.count(),
    app.prisma.runLogLine.count(),
    app.prisma.runAlert.count(),
    app.prisma.project.findMany({ orderBy: { id: "asc" } }),
  ]).then((s) => JSON.stringify(s, (_k, v) => (typeof v === "bigint" ? String(v) : v)));

let worldNo = 0;

describe("tenancy, as a property", () => {
  it("another organization's runs answer exactly as runs that do not exist, and probing writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const n = ++worldNo;
        const orgs: TestOrg[] = [];
        for (let i = 0; i < w.orgs; i++) orgs.push(await app.org(`w${n}-o${i}`));
        const attacker = orgs[w.attacker % w.orgs]!;
        const targets: Target[] = [];
        const made: { org: TestOrg; runId: number; project: string }[] = [];
        for (const [i, spec] of w.runs.entries()) {
          const org = orgs[spec.org % w.orgs]!;
          const mine = made.filter((m) => m.org === org && m.project === spec.project);
          const parent = spec.forkOf === undefined || mine.length === 0 ? undefined : mine[spec.forkOf % mine.length]!;
          const run = parent
            ? await forkRunOk(org, { parentRunId: parent.runId, step: 0, name: `run ${i}` })
            : (await createRunOk(org, { projectName: spec.project, name: `run ${i}`, externalId: spec.externalId, tags: spec.tags })).run;
          if (spec.metric) await logSteps(org, run.runId, "loss", [0, 1, 2]);
          made.push({ org, runId: run.runId, project: spec.project });
          if (org === attacker) continue;
          const own = await org.gql(`query($id: Int!) { run(runId: $id) { id displayId externalId project { id name } } }`, { id: run.runId });
          const r = own.data.run;
          targets.push({ runId: run.runId, id: r.id, projectId: r.project.id, displayId: r.displayId, projectName: r.project.name, externalId: r.externalId ?? "job-1", tag: spec.tags[0] ?? "t1" });
        }

        const before = await snapshot();
        const seen = [];
        for (const t of targets) seen.push(await probe(attacker.key, t));
        for (const answers of seen) {
          // The probes ran (no validation error) and found nothing by the target's own ids.
          const data = JSON.parse(answers[0]!.slice(4));
          expect(data.errors).toBeUndefined();
          expect([data.data.a, data.data.b, data.data.c, data.data.d]).toEqual([null, null, null, null]);
          expect(answers[3]).toBe('404 {"error":"Run not found"}');
        }
        expect(await snapshot()).toEqual(before);

        // The victims disappear (forks before their parents); the attacker's view must not move.
        const victims = orgs.filter((o) => o !== attacker).map((o) => o.id);
        const depths = await app.prisma.run.findMany({ where: { organizationId: { in: victims } }, select: { forkDepth: true }, distinct: ["forkDepth"] });
        for (const d of depths.map((x) => x.forkDepth).sort((a, b) => b - a)) {
          await app.prisma.run.deleteMany({ where: { organizationId: { in: victims }, forkDepth: d } });
        }
        await app.prisma.organization.deleteMany({ where: { id: { in: victims } } });
        for (const [i, t] of targets.entries()) expect(await probe(attacker.key, t)).toEqual(seen[i]);
      }),
      { numRuns: 4 },
    );
  });
});
