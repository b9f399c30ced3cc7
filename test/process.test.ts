import { mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../src/domain/api-keys.js";
import { exitCode, launch, start } from "./helpers/gateway-process.js";

// The gateway as `npm start` runs it: a real process, real HTTP, the embedded database in
// a directory. (DATABASE_URL is cleared: this is about the embedded default.)

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), "gateway-data-"));
  dirs.push(d);
  return d;
}

describe("npm start on the embedded database", () => {
  it("migrates, bootstraps, prints the key once, serves GraphiQL offline, and stops cleanly", async () => {
    const dataDir = await tempDir();
    const first = await start({ DATA_DIR: dataDir });
    const key = /(mlps_[A-Za-z0-9]{32,})/.exec(first.stdout())?.[1];
    expect(key).toBeDefined();

    const page = await (await fetch(`${first.url}/graphql`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain("graphiql");
    // Nothing is loaded from elsewhere: no external script, stylesheet or module URL.
    expect(page).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(page).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(page).not.toMatch(/import\s*\(?\s*["']https?:/i);
    expect(page).toContain("ProjectRunHistory");

    const gql = (query: string) =>
      fetch(`${first.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      }).then((r) => r.json() as Promise<any>);
    const created = await gql(`mutation { createRun(input: { projectName: "p", name: "r" }) { ... on CreateRunSuccess { run { displayId } } } }`);
    expect(created.data.createRun.run.displayId).toBe("P-1");

    // A second process on the same directory is refused with a clear message.
    const second = launch({ DATA_DIR: dataDir });
    expect(await exitCode(second.proc)).toBe(1);
    expect(second.stderr()).toMatch(/DATA_DIR .* is in use by another gateway process/);

    first.proc.kill("SIGTERM");
    expect(await exitCode(first.proc)).toBe(0);

    // The data survived, and a restart prints no new key.
    const again = await start({ DATA_DIR: dataDir });
    expect(again.stdout()).not.toMatch(/mlps_/);
    const runs = await fetch(`${again.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ runs { totalCount } }" }),
    }).then((r) => r.json() as Promise<any>);
    expect(runs.data.runs.totalCount).toBe(1);
    again.proc.kill("SIGINT");
    expect(await exitCode(again.proc)).toBe(0);
  });

  it("uses BOOTSTRAP_API_KEY and BOOTSTRAP_ORG when given", async () => {
    const key = generateApiKey();
    const started = await start({ DATA_DIR: await tempDir(), BOOTSTRAP_API_KEY: key, BOOTSTRAP_ORG: "acme" });
    expect(started.stdout()).not.toContain(key);
    const res = await fetch(`${started.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ viewer { organization { slug } } }" }),
    }).then((r) => r.json() as Promise<any>);
    expect(res.data.viewer.organization.slug).toBe("acme");
    started.proc.kill("SIGTERM");
    expect(await exitCode(started.proc)).toBe(0);
  });

  it("serves creates and resumes from its very first start on a new DATA_DIR (types made by the migrations)", async () => {
    const key = generateApiKey();
    const started = await start({ DATA_DIR: await tempDir(), BOOTSTRAP_API_KEY: key });
    const create = () =>
      fetch(`${started.url}/api/runs/create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ runName: "a", projectName: "my-ml-project", externalId: "job", config: '{"lr": 1}' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const first = await create();
    const again = await create();
    expect(first).toMatchObject({ status: 200, body: { resumed: false, displayId: "MMP-1" } });
    expect(again).toMatchObject({ status: 200, body: { resumed: true, runId: first.body.runId } });
    started.proc.kill("SIGTERM");
    expect(await exitCode(started.proc)).toBe(0);
  });

  it("a bad setting stops start with a message naming the variable", async () => {
    const bad = launch({ PORT: "not-a-port" });
    expect(await exitCode(bad.proc)).toBe(2);
    expect(bad.stderr()).toMatch(/PORT:/);
  });

  it("an unreadable DATA_DIR is a clear startup error", async () => {
    const file = join(await tempDir(), "not-a-dir");
    await writeFile(file, "x");
    await chmod(file, 0o400);
    const bad = launch({ DATA_DIR: file });
    expect(await exitCode(bad.proc)).toBe(1);
    expect(bad.stderr()).toMatch(/not-a-dir/);
  });
});
