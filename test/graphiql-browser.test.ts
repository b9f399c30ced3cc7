import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../src/domain/api-keys.js";
import { startOnOwnDatabase, type OwnGateway } from "./helpers/gateway-process.js";

// GraphiQL as an explorer meets it: Debian's Chromium driven by playwright-core against a
// real gateway process. Nothing may be fetched from another origin (the page works
// offline); the example query runs and shows the runs. In CI Chromium must be there.

const CHROMIUM = "/usr/bin/chromium";
const haveBrowser = existsSync(CHROMIUM);
if (process.env.CI && !haveBrowser) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
const ARTIFACTS = "test-artifacts";

let browser: Browser;
let gateway: OwnGateway;
const key = generateApiKey();
const embedded = !process.env.DATABASE_URL;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as any;
}

beforeAll(async () => {
  if (!haveBrowser) return;
  gateway = await startOnOwnDatabase("gateway-graphiql", { BOOTSTRAP_API_KEY: key, HOST: "127.0.0.1" });
  const created = await gql(`mutation { createRun(input: { projectName: "my-ml-project", name: "baseline" }) { ... on CreateRunSuccess { run { runId } } } }`);
  const runId = created.data.createRun.run.runId;
  await gql(`mutation($r:Int!) { logMetrics(input: { runId: $r, series: [{ name: "loss", steps: [0, 1, 2], values: [2, 1, 0.5] }] }) { __typename } }`, { r: runId });
  await gql(`mutation($r:Int!) { forkRun(input: { parentRunId: $r, step: 1, name: "lower-lr" }) { __typename } }`, { r: runId });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // stack.md's flags; gateway.test resolves to this machine, as a name that is not localhost.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP gateway.test 127.0.0.1"],
  });
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  if (!haveBrowser) return;
  await browser?.close();
  await gateway.stop();
});

/** Opens GraphiQL in a fresh profile, recording the origin of every request the page makes. */
async function open(url: string): Promise<{ page: Page; origins: Set<string> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const origins = new Set<string>();
  page.on("request", (r) => origins.add(new URL(r.url()).origin));
  await page.goto(url);
  await page.waitForSelector(".graphiql-execute-button", { timeout: 60_000 });
  await page.click("button[data-name=headers]");
  return { page, origins };
}

const headersText = (page: Page) => page.locator(".graphiql-editor-tool .monaco-editor:visible").first().textContent();

async function runAndRead(page: Page, expected: string): Promise<string> {
  await page.click(".graphiql-execute-button");
  await page.waitForFunction((text) => document.querySelector(".graphiql-response")?.textContent?.includes(text), expected, { timeout: 30_000 });
  return (await page.locator(".graphiql-response").textContent()) ?? "";
}

describe.skipIf(!haveBrowser)("GraphiQL in Chromium", () => {
  it("works offline: the key typed into the headers editor runs the nested history example", async () => {
    const origin = gateway.url.replace("127.0.0.1", "gateway.test");
    const { page, origins } = await open(`${origin}/graphql`);
    // Not a browser on localhost (by name), or not embedded: nothing is prefilled.
    expect(await headersText(page)).not.toContain("mlps_");
    const editor = page.locator(".graphiql-editor-tool .monaco-editor:visible").first();
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(`{"Authorization": "Bearer ${key}"}`);
    const response = await runAndRead(page, "lower-lr");
    expect(response).toContain("my-ml-project");
    expect(response).toContain("MMP-1");
    expect(response).not.toContain("errors");
    await page.screenshot({ path: join(ARTIFACTS, `graphiql-${embedded ? "pglite" : "postgres"}.png`), fullPage: true });
    // Example tabs: nested history, fork lineage, a subscription, and the mutations.
    const tabs = await page.locator(".graphiql-tab").allTextContents();
    expect(tabs.join(" ")).toMatch(/ProjectRunHistory.*CreateRun.*ForkLineage.*WatchStates/);
    expect([...origins]).toEqual([origin]);
  });

  it.runIf(embedded)("opens with the bootstrap key prefilled for a browser on localhost, in embedded mode", async () => {
    const origin = gateway.url.replace("127.0.0.1", "localhost");
    const { page, origins } = await open(`${origin}/graphql`);
    expect(await headersText(page)).toContain(key);
    const response = await runAndRead(page, "lower-lr");
    expect(response).toContain("MMP-2");
    expect([...origins]).toEqual([origin]);
  });
});
