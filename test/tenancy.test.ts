import { beforeAll, describe, expect, it } from "vitest";
import { getNamedType, isLeafType } from "graphql";
import { createApiKey } from "../src/domain/api-keys.js";
import { schema } from "../src/graphql/schema/index.js";
import { CREATE_RUN, FORK_RUN, LOG_METRICS, UPDATE_STATE } from "./helpers/operations.js";
import { createRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
let rival: TestOrg;
let run: any;

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  rival = await app.org("rival");
  run = (await createRunOk(acme, { projectName: "secret-project", name: "secret", externalId: "ext-1" })).run;
  await logSteps(acme, run.runId, "loss", [0, 1, 2]);
});

describe("a second organization sees none of the first's data", () => {
  it("by any id or list", async () => {
    const { data: own } = await acme.gql(`query($id:Int!){ run(runId:$id){ id project { id } } }`, { id: run.runId });
    const res = await rival.gql(
      `query($runId:Int!, $id:ID!, $pid:ID!) {
        byRunId: run(runId: $runId) { runId }
        byGlobal: run(id: $id) { runId }
        node(id: $id) { id }
        projectNode: node(id: $pid) { id }
        byDisplay: run(displayId: "SP-1") { runId }
        byDisplayInProject: run(displayId: "SP-1", projectName: "secret-project") { runId }
        byExternal: run(externalId: "ext-1", projectName: "secret-project") { runId }
        project(name: "secret-project") { name }
        projects { totalCount }
        runs { totalCount }
        filtered: runs(filter: { includeArchived: true, externalId: "ext-1" }) { totalCount }
        viewer { organization { slug runCount } }
      }`,
      { runId: run.runId, id: own.run.id, pid: own.run.project.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      byRunId: null,
      byGlobal: null,
      node: null,
      projectNode: null,
      byDisplay: null,
      byDisplayInProject: null,
      byExternal: null,
      project: null,
      projects: { totalCount: 0 },
      runs: { totalCount: 0 },
      filtered: { totalCount: 0 },
      viewer: { organization: { slug: "rival", runCount: 0 } },
    });
  });

  it("and cannot write to it", async () => {
    const before = await app.counts();
    const log = await rival.gql(LOG_METRICS, { input: { runId: run.runId, points: [{ name: "x", step: 5, value: 1 }] } });
    const state = await rival.gql(UPDATE_STATE, { input: { runId: run.runId, state: "FAILED" } });
    const fork = await rival.gql(FORK_RUN, { input: { parentRunId: run.runId, step: 1 } });
    const archive = await rival.gql(`mutation($id:Int!){ archiveRun(runId:$id){ __typename } }`, { id: run.runId });
    const update = await rival.gql(`mutation($id:Int!){ updateRun(input:{runId:$id, name:"x"}){ __typename } }`, { id: run.runId });
    expect([log.data.logMetrics, state.data.updateRunState, fork.data.forkRun, archive.data.archiveRun, update.data.updateRun].map((r) => r.__typename)).toEqual(
      Array(5).fill("NotFoundError"),
    );
    expect(await app.counts()).toEqual(before);
  });

  it("the same project name and externalId in another organization are its own", async () => {
    const mine = await createRunOk(rival, { projectName: "secret-project", name: "mine", externalId: "ext-1" });
    expect(mine.resumed).toBe(false);
    expect(mine.run.number).toBe(1);
    expect(mine.run.runId).not.toBe(run.runId);
  });
});

describe("authentication", () => {
  const rootFields = (type: "Query" | "Mutation") => Object.keys((schema.getType(type) as any).getFields()).filter((f) => f !== "node" && f !== "nodes");

  it("every query and mutation field without a key answers UNAUTHENTICATED", async () => {
    const fields = [...rootFields("Query").map((f) => ["query", f]), ...rootFields("Mutation").map((f) => ["mutation", f])];
    expect(fields.length).toBeGreaterThanOrEqual(12);
    for (const [op, field] of fields) {
      const type = (schema.getType(op === "query" ? "Query" : "Mutation") as any).getFields()[field!];
      const args = type.args.filter((a: any) => String(a.type).endsWith("!"));
      const varDefs = args.map((a: any) => `$${a.name}: ${String(a.type)}`).join(", ");
      const callArgs = args.map((a: any) => `${a.name}: $${a.name}`).join(", ");
      const selection = isLeafType(getNamedType(type.type)) ? "" : "{ __typename }";
      const doc = `${op}${varDefs ? `(${varDefs})` : ""} { ${field}${callArgs ? `(${callArgs})` : ""} ${selection} }`;
      const variables = Object.fromEntries(args.map((a: any) => [a.name, sample(String(a.type))]));
      const res = await app.gql(doc, variables);
      expect(res.errors?.[0]?.extensions?.code, `${field}: ${JSON.stringify(res)}`).toBe("UNAUTHENTICATED");
    }
  });

  it("node lookups without a key find nothing", async () => {
    const { data } = await acme.gql(`query($id:Int!){ run(runId:$id){ id } }`, { id: run.runId });
    const res = await app.gql(`query($id:ID!){ node(id:$id){ id } }`, { id: data.run.id });
    expect(res.data?.node ?? null).toBeNull();
  });

  it("refuses malformed, unknown, expired and revoked keys, and takes a valid one", async () => {
    const expired = await createApiKey(app.prisma, acme.id, { name: "old", expiresAt: new Date(Date.now() - 1000) });
    const revoked = await createApiKey(app.prisma, acme.id, { name: "gone" });
    await app.prisma.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const ask = (authorization: string) => app.gql(`{ viewer { apiKeyName } }`, {}, { authorization });
    const cases: [string, RegExp][] = [
      ["Bearer not-a-key", /Invalid API key/],
      [`Bearer mlps_${"x".repeat(40)}`, /Key not found/],
      [`Bearer ${expired.key}`, /expired/],
      [`Bearer ${revoked.key}`, /revoked/],
      ["Bearer ", /Unauthorized/],
    ];
    for (const [header, message] of cases) {
      const res = await ask(header);
      expect(res.errors?.[0]?.extensions?.code, header).toBe("UNAUTHENTICATED");
      expect(res.errors?.[0]?.message).toMatch(message);
    }
    expect((await ask(`Bearer ${acme.key}`)).data.viewer.apiKeyName).toBe("acme-key");
  });

  it("stores only a hash and a preview of each key", async () => {
    const keys = await app.prisma.apiKey.findMany();
    for (const k of keys) {
      expect(k.keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(k.preview).toMatch(/^mlps_.{4}…$/);
    }
    expect(JSON.stringify(keys)).not.toContain(acme.key);
  });

  it("introspection works without a key (GraphiQL)", async () => {
    const res = await app.gql(`{ __schema { queryType { name } } __type(name: "Run") { fields { name } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.queryType.name).toBe("Query");
    expect(res.data.__type.fields.length).toBeGreaterThan(30);
  });

  it("a failed mutation under a bad key writes nothing", async () => {
    const before = await app.counts();
    const res = await app.gql(CREATE_RUN, { input: { projectName: "x", name: "y" } }, { authorization: "Bearer nope" });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await app.counts()).toEqual(before);
  });
});

function sample(type: string): unknown {
  if (type === "Int!") return 1;
  if (type === "String!") return "x";
  if (type === "CreateRunInput!") return { projectName: "p", name: "n" };
  if (type === "ForkRunInput!") return { parentRunId: 1, step: 0 };
  if (type === "LogMetricsInput!") return { runId: 1, points: [] };
  if (type === "UpdateRunStateInput!") return { runId: 1, state: "RUNNING" };
  if (type === "UpdateRunInput!") return { runId: 1 };
  throw new Error(`no sample for ${type}`);
}
