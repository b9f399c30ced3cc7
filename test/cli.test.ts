import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCode, start } from "./helpers/gateway-process.js";
import { openProcessDatabase } from "./helpers/test-database.js";

// The operator's CLI as a user runs it (`npx ml-gateway …`): a real process on the suite's
// database kind — a PGlite directory, or a PostgreSQL test database when DATABASE_URL is set.

let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const db = await openProcessDatabase("gateway-cli");
  env = db.env;
  cleanup = db.close;
});
afterAll(() => cleanup());

async function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const proc = spawn(process.execPath, ["scripts/ml-gateway.mjs", ...args], { env: { ...process.env, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (err += d));
  return { code: await exitCode(proc), out, err };
}

describe("ml-gateway CLI", () => {
  it("creates and lists organizations and keys, and the key it prints works", async () => {
    const created = await cli("orgs", "create", "acme", "--name", "Acme Corp", "--run-limit", "2");
    expect(created).toMatchObject({ code: 0, out: expect.stringContaining('created organization "acme" (run limit 2)') });

    const orgs = await cli("orgs", "list", "--json");
    expect(orgs.code).toBe(0);
    expect(JSON.parse(orgs.out)).toContainEqual(expect.objectContaining({ slug: "acme", name: "Acme Corp", runLimit: 2, runs: 0 }));

    const key = await cli("keys", "create", "--org", "acme", "--name", "trainer", "--json");
    expect(key.code).toBe(0);
    const { id, key: secret } = JSON.parse(key.out);
    expect(secret).toMatch(/^mlps_[A-Za-z0-9]{32,}$/);
    const listed = await cli("keys", "list", "--org", "acme");
    expect(listed.out).toContain("trainer");
    expect(listed.out).not.toContain(secret); // the secret is shown once, never listed

    // The key works against a gateway on the same database, within the run limit.
    const gateway = await start({ ...env, BOOTSTRAP_ORG: "boot" });
    const gql = (query: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query }),
      }).then((r) => r.json() as Promise<any>);
    const create = `mutation { createRun(input: { projectName: "cli", name: "r" }) { __typename ... on CreateRunSuccess { run { runId displayId } } } }`;
    const first = await gql(create);
    expect(first.data.createRun.run.displayId).toBe("CLI-1");
    await gql(`mutation { logMetrics(input: { runId: ${first.data.createRun.run.runId}, points: [{ name: "loss", step: 3, value: 0.25 }] }) { __typename } }`);
    await gql(create);
    expect((await gql(create)).data.createRun.__typename).toBe("LimitExceededError");
    gateway.proc.kill("SIGTERM");
    expect(await exitCode(gateway.proc)).toBe(0);

    const shown = await cli("runs", "show", "CLI-1", "--org", "acme", "--json");
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ displayId: "CLI-1", project: "cli", state: "RUNNING", metrics: [{ name: "loss", last: 0.25, lastStep: 3 }] });

    const revoked = await cli("keys", "revoke", String(id));
    expect(revoked).toMatchObject({ code: 0, out: expect.stringContaining(`revoked API key ${id}`) });
    const keys = JSON.parse((await cli("keys", "list", "--org", "acme", "--json")).out);
    expect(keys.find((k: any) => k.id === id).revokedAt).not.toBeNull();
  });

  it("answers usage errors with exit code 2 and refusals with 1, naming the problem", async () => {
    expect(await cli()).toMatchObject({ code: 2, err: expect.stringContaining("Usage: ml-gateway") });
    expect(await cli("orgs", "frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "orgs frobnicate"') });
    expect(await cli("orgs", "create", "x", "--run-limit", "many")).toMatchObject({ code: 2, err: expect.stringContaining("--run-limit takes a whole number") });
    expect(await cli("orgs", "list", "--bogus")).toMatchObject({ code: 2 });
    expect(await cli("orgs", "create", "Not A Slug")).toMatchObject({ code: 1, err: expect.stringContaining("organization slug") });
    expect(await cli("keys", "list", "--org", "nobody")).toMatchObject({ code: 1, err: expect.stringContaining('Organization "nobody" not found') });
    expect(await cli("keys", "revoke", "999999")).toMatchObject({ code: 1, err: expect.stringContaining("API key 999999 not found") });
    expect(await cli("runs", "show", "NOPE-1", "--org", "acme")).toMatchObject({ code: 1, err: expect.stringContaining("not found") });
    expect(await cli("orgs", "list", "--help")).toMatchObject({ code: 0, out: expect.stringContaining("keys revoke KEY_ID") });
    env = { ...env, PORT: "eighty" };
    expect(await cli("orgs", "list")).toMatchObject({ code: 2, err: expect.stringContaining("PORT") });
  });
});
