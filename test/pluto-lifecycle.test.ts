import { beforeAll, describe, expect, it } from "vitest";
import { listen } from "./helpers/http.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Pluto's SDK sequence (pluto-wire.md §2), through the real HTTP server, then everything
// it sent read back through GraphQL.

let app: TestApp;
let acme: TestOrg;
let base: string;

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme");
  base = await listen(app.yoga);
});

/** What the SDK sends on every run-scoped call. */
function sdk(runId: number | "None", projectName: string) {
  const headers = (contentType: string) => ({
    authorization: `Bearer ${acme.key}`,
    "content-type": contentType,
    "user-agent": "pluto",
    "x-run-id": String(runId),
    "x-run-name": "train",
    "x-project-name": projectName,
  });
  return {
    async post(path: string, body: unknown) {
      const res = await fetch(`${base}${path}`, { method: "POST", headers: headers("application/json"), body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    },
    async get(path: string) {
      const res = await fetch(`${base}${path}`, { headers: headers("application/json") });
      return { status: res.status, body: (await res.json()) as any };
    },
    async ndjson(path: string, lines: string[]) {
      const res = await fetch(`${base}${path}`, { method: "POST", headers: headers("application/x-ndjson"), body: lines.join("\n") + "\n" });
      return { status: res.status, text: await res.text() };
    },
  };
}

describe("the pluto-ml SDK's training loop", () => {
  it("slug → create from 4 ranks → names → metrics and logs → tags, config → heartbeats → 3 COMPLETED and 1 FAILED", async () => {
    const project = "pluto-e2e";
    const boot = sdk("None", project);
    const slug = await boot.post("/api/slug", {});
    expect(slug).toMatchObject({ status: 200, body: { organization: { slug: "acme" } } });

    // Every rank creates with the same externalId (PLUTO_RUN_ID): one run, one creator.
    const createBody = {
      runName: "train", projectName: project, externalId: "ddp-job-7", config: JSON.stringify({ lr: 0.1, model: { depth: 18 } }),
      loggerSettings: JSON.stringify({ project }), systemMetadata: JSON.stringify({ hostname: "node-0" }), tags: null, createdAt: null, updatedAt: null,
    };
    const created = await Promise.all([0, 1, 2, 3].map(() => boot.post("/api/runs/create", createBody)));
    expect(created.every((r) => r.status === 200)).toBe(true);
    expect(new Set(created.map((r) => r.body.runId)).size).toBe(1);
    expect(created.filter((r) => !r.body.resumed)).toHaveLength(1);
    const runId = created[0]!.body.runId as number;
    const rank = sdk(runId, project);

    expect(await rank.post("/api/runs/logName/add", { runId, logName: ["sys/cpu.percentage", "sys/pluto.health", "train/loss"], logType: "METRIC" })).toMatchObject({ status: 200, body: { success: true } });
    expect((await rank.post("/api/runs/logName/add", { runId, logName: ["train/loss", "train/acc"], logType: "METRIC" })).status).toBe(200);
    expect((await rank.post("/api/runs/logName/add", { runId, logName: ["samples"], logType: "DATA" })).status).toBe(200);

    const metrics = [
      `{"time": 1732270000123, "step": 1, "data": {"train/loss": 0.9, "train/acc": 0.1}}`,
      `{"time": 1732270001123, "step": 2, "data": {"train/loss": NaN, "train/acc": 0.4}}`,
      `{"time": 1732270002123, "step": 3, "data": {"train/loss": 0.5, "train/acc": Infinity, "skipped": null}}`,
    ];
    expect(await rank.ndjson("/ingest/metrics", metrics)).toEqual({ status: 200, text: "Stream processed successfully: 6 records" });
    expect((await rank.ndjson("/ingest/metrics", metrics)).status).toBe(200); // a retried body replaces
    expect((await rank.ndjson("/ingest/metrics", [`{"time": 1732270003000, "step": 1, "data": {"sys/cpu.percentage": 12.5}}`])).status).toBe(200);
    const logs = [
      `{"time": 1732270000200, "message": "epoch 1", "lineNumber": 1, "logType": "INFO"}`,
      `{"time": 1732270000300, "message": "warning: slow", "lineNumber": 1, "logType": "ERROR"}`,
      `{"time": 1732270000400, "message": "epoch 2", "lineNumber": 2, "logType": "INFO"}`,
    ];
    expect(await rank.ndjson("/ingest/logs", logs)).toEqual({ status: 200, text: "Stream processed successfully: 3 records" });
    expect((await rank.ndjson("/ingest/logs", logs)).status).toBe(200); // stored once

    expect((await rank.post("/api/runs/tags/update", { runId, tags: ["ddp", "group:sweep-3"] })).status).toBe(200);
    expect((await rank.post("/api/runs/config/update", { runId, config: JSON.stringify({ model: { width: 64 }, epochs: 3 }) })).status).toBe(200);

    const beats = await Promise.all([0, 1, 2, 3].map(() => rank.post("/api/runs/trigger", { runId })));
    expect(beats.map((b) => b.body)).toEqual(Array(4).fill({ status: "RUNNING", triggers: null }));

    const finals = await Promise.all(
      ["COMPLETED", "COMPLETED", "FAILED", "COMPLETED"].map((status) =>
        rank.post("/api/runs/status/update", {
          runId, status,
          statusMetadata: status === "FAILED" ? JSON.stringify({ type: "RuntimeError", message: "CUDA out of memory", frames: [], trace: "..." }) : null,
          statusUpdated: null,
        }),
      ),
    );
    expect(finals.every((f) => f.status === 200 && f.body.success === true)).toBe(true);

    const details = await rank.get(`/api/runs/details/${runId}?projectName=${project}`);
    expect(details.body).toMatchObject({ id: runId, status: "FAILED", tags: ["ddp", "group:sweep-3"], projectName: project, externalId: "ddp-job-7" });
    expect(details.body.logNames).toContainEqual({ logName: "train/loss", logType: "METRIC", logGroup: "train" });

    const res = await acme.gql(
      `query($id:Int!){ run(runId:$id){ state error { message } tags runGroup config systemMetadata
        stateHistory(first: 10) { nodes { fromState toState source } }
        logNames { name logType logGroup }
        logs(first: 10) { totalCount nodes { stream lineNumber message } }
        loss: metric(name: "train/loss") { summary { count last lastStep } history(first: 10) { nodes { step value } } }
        acc: metric(name: "train/acc") { summary { count max last } }
        metrics { name count } } }`,
      { id: runId },
    );
    expect(res.errors).toBeUndefined();
    const run = res.data.run;
    expect(run.state).toBe("FAILED");
    expect(run.error.message).toBe("CUDA out of memory");
    // Racing ranks: COMPLETED may land before FAILED, never after it, and only once.
    const states = run.stateHistory.nodes.map((e: any) => e.toState);
    expect([["RUNNING", "FAILED"], ["RUNNING", "COMPLETED", "FAILED"]]).toContainEqual(states);
    expect(run.tags).toEqual(["ddp", "group:sweep-3"]);
    expect(run.runGroup).toBe("sweep-3");
    expect(run.config).toEqual({ lr: 0.1, model: { depth: 18, width: 64 }, epochs: 3 });
    expect(run.systemMetadata).toEqual({ hostname: "node-0" });
    expect(run.logNames.map((l: any) => l.name)).toEqual(["sys/cpu.percentage", "sys/pluto.health", "train/loss", "train/acc", "samples"]);
    expect(run.logNames.at(-1)).toEqual({ name: "samples", logType: "DATA", logGroup: null });
    expect(run.logs.totalCount).toBe(3);
    expect(run.logs.nodes.map((l: any) => [l.stream, l.lineNumber, l.message])).toEqual([
      ["STDOUT", 1, "epoch 1"], ["STDERR", 1, "warning: slow"], ["STDOUT", 2, "epoch 2"],
    ]);
    expect(run.loss.history.nodes).toEqual([{ step: 1, value: 0.9 }, { step: 2, value: "NaN" }, { step: 3, value: 0.5 }]);
    expect(run.acc.summary).toEqual({ count: 3, max: "Infinity", last: "Infinity" }); // only NaN is ignored by max
    expect(run.metrics.map((m: any) => m.name)).toEqual(["sys/cpu.percentage", "train/acc", "train/loss"]);
  });
});
