import { parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { compilable, HOT_AFTER, hotCompilableDocuments } from "../src/graphql/compiled-execution.js";
import { schema } from "../src/graphql/schema/index.js";
import { UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Hot client documents made only of fields that need no Prisma plan run compiled
// (graphql-jit). They must answer exactly as graphql-js does, with the same statements.

const PAGE = `query Page($project: String!) {
  project(name: $project) {
    runs(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        runId number name state createdAt
        forkedFrom { runId name }
        forks(first: 2) { totalCount nodes { runId } edges { cursor } }
        stateHistory(last: 5) { totalCount nodes { fromState toState source metadata error { message } at } }
        metrics { name count min max last }
        ...More
      }
    }
  }
}
fragment More on Run { id metric(name: "loss") { summary { lastStep } } }`;

const PROJECTS = `{ projects(first: 5) { totalCount nodes { runs(last: 3, orderBy: [{ field: NAME, direction: ASC }]) {
  totalCount pageInfo { hasPreviousPage startCursor } nodes { runId name forkedFrom { runId } forks { totalCount } } } } } }`;

describe("which documents compile", () => {
  const verdict = (doc: string) => compilable(schema, parse(doc));

  it("the frontend's run list, under project(name:) or projects, fragments included", () => {
    expect(verdict(PAGE)).toBe(true);
    expect(verdict(PROJECTS)).toBe(true);
    expect(verdict(`{ project(name: "a") { projectId name runPrefix tags runCount runs { totalCount } } }`)).toBe(true);
    expect(verdict(`{ run(runId: 1) { runId name forkedFrom { runId } stateHistory { nodes { toState } } } }`)).toBe(true);
  });

  it("not a field answered from a Prisma plan, nor a mutation", () => {
    expect(verdict(PAGE.replace("forkedFrom { runId name }", "forkedFrom { runId displayId }"))).toBe(false);
    expect(verdict(PAGE.replace("fragment More on Run { id", "fragment More on Run { id tags"))).toBe(false);
    expect(verdict(`{ projects(first: 2) { nodes { runs(first: 2) { nodes { runId displayId } } } } }`)).toBe(false);
    expect(verdict(`{ run(runId: 1) { project { name } } }`)).toBe(false);
    expect(verdict(`mutation { archiveRun(input: { runId: 1 }) { __typename } }`)).toBe(false);
  });

  it("a document once it has run HOT_AFTER times, counted per document", () => {
    const hot = hotCompilableDocuments(schema);
    const page = parse(PAGE);
    const other = parse(PAGE);
    const seen = Array.from({ length: HOT_AFTER + 2 }, () => hot(page));
    expect(seen).toEqual([...Array(HOT_AFTER).fill(false), true, true]);
    expect(hot(other)).toBe(false);
    const never = parse(`{ run(runId: 1) { displayId } }`);
    expect(Array.from({ length: HOT_AFTER + 2 }, () => hot(never))).not.toContain(true);
  });
});

describe("a hot run list", () => {
  let app: TestApp;
  let acme: TestOrg;

  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.org("compiled");
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push((await createRunOk(acme, { projectName: "jit", name: `r${i}` })).run);
    await acme.gql(UPDATE_STATE, { input: { runId: runs[0].runId, state: "FAILED", error: { message: "oom" } } });
    for (const r of runs) await logSteps(acme, r.runId, "loss", [0, 1, 2]);
    for (let i = 0; i < 3; i++) await forkRunOk(acme, { parentRunId: runs[1].runId, step: 1 });
  });

  it("answers the same, with the same statements, before and after it is compiled", async () => {
    const answers = [];
    for (let i = 0; i < HOT_AFTER + 2; i++) {
      app.operations.length = 0;
      const res = await acme.gql(PAGE, { project: "jit" });
      expect(res.errors).toBeUndefined();
      answers.push({ data: res.data, ops: [...app.operations] });
    }
    const [first] = answers;
    expect(first!.data.project.runs.totalCount).toBe(7);
    const parent = first!.data.project.runs.nodes.find((n: any) => n.forks.totalCount === 3);
    expect(parent.forks.nodes).toHaveLength(2);
    expect(first!.data.project.runs.nodes.find((n: any) => n.state === "FAILED").stateHistory.nodes.at(-1).error).toEqual({ message: "oom" });
    for (const later of answers.slice(1)) expect(later).toEqual(first);
  });

  it("answers a list of projects' runs the same before and after it is compiled", async () => {
    const answers = [];
    for (let i = 0; i < HOT_AFTER + 2; i++) {
      app.operations.length = 0;
      const res = await acme.gql(PROJECTS);
      expect(res.errors).toBeUndefined();
      answers.push({ data: res.data, ops: [...app.operations] });
    }
    const [first] = answers;
    expect(first!.data.projects.nodes[0].runs).toMatchObject({ totalCount: 7, pageInfo: { hasPreviousPage: true } });
    // The same runs as Query.runs, which Prisma reads.
    const reference = await acme.gql(`{ runs(projectName: "jit", last: 3, orderBy: [{ field: NAME, direction: ASC }]) { nodes { runId } } }`);
    expect(first!.data.projects.nodes[0].runs.nodes.map((n: any) => n.runId)).toEqual(reference.data.runs.nodes.map((n: any) => n.runId));
    for (const later of answers.slice(1)) expect(later).toEqual(first);
  });

  it("keeps each operation of a document apart", async () => {
    const two = `${PAGE}\nquery Names($project: String!) { project(name: $project) { runs(first: 50) { nodes { name } } } }
      query Viewer { viewer { organization { slug } } }`;
    const run = async (operationName: string, variables: Record<string, unknown> = { project: "jit" }) => {
      const res = await app.yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${acme.key}` },
        body: JSON.stringify({ query: two, variables, operationName }),
      });
      const body = await res.json();
      expect(body.errors).toBeUndefined();
      return body;
    };
    for (let i = 0; i < HOT_AFTER + 2; i++) {
      const page = await run("Page");
      const names = await run("Names");
      const viewer = await run("Viewer", {});
      expect(page.data.project.runs.nodes[0].stateHistory).toBeDefined();
      expect(names.data.project.runs.nodes[0]).toEqual({ name: expect.any(String) });
      expect(viewer.data).toEqual({ viewer: { organization: { slug: "compiled" } } });
    }
  });

  it("reports a bad argument as graphql-js does", async () => {
    const bad = PAGE.replace("forks(first: 2)", "forks(first: -1)");
    const errors = [];
    for (let i = 0; i < HOT_AFTER + 2; i++) errors.push((await acme.gql(bad, { project: "jit" })).errors);
    expect(errors[0]).toBeDefined();
    for (const later of errors.slice(1)) expect(later).toEqual(errors[0]);
  });
});
