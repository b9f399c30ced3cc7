import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_QUERY_LIMITS as QUERY_LIMITS } from "../src/graphql/query-limits.js";
import { EXAMPLE_QUERY } from "../src/graphql/example-query.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

let app: TestApp;
let acme: TestOrg;
beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
});

describe("query limits", () => {
  it("accept the frontend's nested query (GraphiQL's example)", async () => {
    const res = await acme.gql(EXAMPLE_QUERY.replace(/mutation CreateRun[\s\S]*$/, ""));
    expect(res.errors).toBeUndefined();
    expect(res.data.viewer.organization.slug).toBe("acme");
  });

  it("refuse a document nested deeper than the limit", async () => {
    let q = "runId";
    for (let i = 0; i < QUERY_LIMITS.maxDepth; i++) q = `forkedFrom { ${q} }`;
    const res = await acme.gql(`query($id:Int!){ run(runId:$id) { ${q} } }`, { id: 1 });
    expect(res.errors?.[0]?.message).toMatch(/^Query depth limit/);
    expect(res.errors?.[0]?.extensions?.code).toBe("DEPTH_LIMIT_EXCEEDED");
    expect(res.data).toBeUndefined();
  });

  it("refuse too many aliases and too many tokens", async () => {
    const aliases = Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: viewer { apiKeyName }`).join(" ");
    const aliased = await acme.gql(`{ ${aliases} }`);
    expect(aliased.errors?.[0]?.message).toMatch(/alias/i);
    expect(aliased.errors?.[0]?.extensions?.code).toBe("ALIAS_LIMIT_EXCEEDED");
    const directives = Array.from({ length: QUERY_LIMITS.maxDirectives + 1 }, () => "@include(if: true)").join(" ");
    expect((await acme.gql(`{ viewer { apiKeyName ${directives} } }`)).errors?.[0]?.extensions?.code).toBe("DIRECTIVE_LIMIT_EXCEEDED");
    const tokens = Array.from({ length: QUERY_LIMITS.maxTokens }, () => "__typename").join(" ");
    expect((await acme.gql(`{ ${tokens} }`)).errors?.[0]?.message).toMatch(/token/i);
  });

  it("do not suggest field names to a client that guesses", async () => {
    const res = await acme.gql(`{ viewr { apiKeyName } }`);
    expect(res.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});
