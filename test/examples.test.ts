import { readFile } from "node:fs/promises";
import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { EXAMPLE_TABS, FORK_LINEAGE, LOG_AND_FORK, NESTED_HISTORY, WATCH_STATES } from "../src/graphql/example-query.js";
import { schema } from "../src/graphql/schema/index.js";
import { createTestApp, type TestOrg } from "./helpers/test-app.js";

// The examples people copy: docs/concepts.md's blocks and GraphiQL's tabs, executed in
// order on a fresh database. None may answer an error, or an error member of a result union.

/** Typenames of result-union errors anywhere in the data. */
function errorMembers(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(errorMembers);
  if (v && typeof v === "object") {
    const own = (v as { __typename?: string }).__typename;
    return [...(own?.endsWith("Error") ? [own] : []), ...Object.values(v).flatMap(errorMembers)];
  }
  return [];
}

async function runOk(org: TestOrg, query: string, variables?: Record<string, unknown>) {
  const res = await org.gql(query, variables);
  expect(res.errors, query).toBeUndefined();
  expect(errorMembers(res.data), query).toEqual([]);
  return res.data;
}

/** A subscription is checked against the schema; executing it is the subscription tests' job. */
function validates(query: string) {
  expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
}

describe("docs/concepts.md", () => {
  it("every GraphQL block runs, in order, on a fresh database", async () => {
    const app = await createTestApp();
    const org = await app.org("docs");
    const text = await readFile("docs/concepts.md", "utf8");
    const blocks = [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const results: any[] = [];
    for (const block of blocks) {
      if (/^\s*subscription\b/.test(block)) validates(block);
      else results.push(await runOk(org, block));
    }
    // What the text claims about them.
    expect(results[0].createRun.run).toMatchObject({ runId: 1, displayId: "MMP-1", runGroup: "sweep-1" });
    expect(results[1].createRun).toMatchObject({ resumed: true, run: { runId: 1, config: { lr: 0.001, optimizer: { name: "adam", betas: [0.9, 0.999] } } } });
    const fork = results.find((r) => r.forkRun)?.forkRun.run;
    expect(fork).toMatchObject({ runId: 2, displayId: "MMP-2", forkStep: 2, forkedFrom: { displayId: "MMP-1" } });
    const read = results.find((r) => r.run?.lineage)!.run;
    expect(read.metric.history.nodes.map((n: any) => [n.step, n.runId])).toEqual([[0, 1], [1, 1], [2, 1], [3, 2], [4, 2]]);
    expect(read.metric.own.nodes.map((n: any) => n.step)).toEqual([3, 4]);
    const sorted = results.find((r) => r.best);
    expect(sorted.best.nodes.map((n: any) => n.displayId)).toEqual(["MMP-2", "MMP-1"]);
    expect(sorted.converged.nodes.map((n: any) => n.displayId)).toEqual(["MMP-2"]);
  });
});

describe("GraphiQL's example tabs", () => {
  it("run as a newcomer would: the mutations in order, then each query", async () => {
    const app = await createTestApp();
    const org = await app.org("graphiql");
    expect(EXAMPLE_TABS.map((t) => t.query)).toEqual([NESTED_HISTORY, LOG_AND_FORK, FORK_LINEAGE, WATCH_STATES]);
    // Several operations in one tab: one must be chosen, as GraphiQL's run button offers.
    expect((await org.gql(LOG_AND_FORK)).errors?.[0]?.message).toMatch(/Could not determine what operation/);
    const tab = EXAMPLE_TABS[1]!;
    const exec = async (operationName: string) => {
      const res = await app.yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${org.key}` },
        body: JSON.stringify({ query: tab.query, variables: tab.variables, operationName }),
      });
      return (await res.json()) as any;
    };
    for (const op of ["CreateRun", "LogLoss", "ForkAtStep2"]) {
      const res = await exec(op);
      expect(res.errors, op).toBeUndefined();
      expect(errorMembers(res.data), op).toEqual([]);
    }
    const history = await runOk(org, NESTED_HISTORY);
    expect(history.projects.nodes[0].runs.nodes.map((r: any) => r.displayId)).toEqual(["MMP-2", "MMP-1"]);
    const lineage = await runOk(org, FORK_LINEAGE, EXAMPLE_TABS[2]!.variables);
    expect(lineage.run.lineage).toEqual([{ displayId: "MMP-1", forkStep: null }]);
    // Forked at step 2 of a 4-point series: it inherits steps 0–2 and has none of its own yet.
    expect(lineage.run.metric.summary).toMatchObject({ count: 3, lastStep: 2, last: 1.2 });
    validates(WATCH_STATES);
  });
});
