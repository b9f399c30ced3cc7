import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createRunOk, forkRunOk, logSteps } from "./helpers/runs.js";
import { createTestApp, type GqlResponse, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Every mutation driven with random variables, well-typed and not: the gateway answers
// with data or typed errors, never an internal error, and a mutation that does not succeed
// changes nothing in the database.

let app: TestApp;
let acme: TestOrg;
const runIds: number[] = [];

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme", { runLimit: 500 });
  const root = (await createRunOk(acme, { projectName: "fuzz", name: "root", externalId: "job", config: { lr: 0.1, nested: { a: 1 } } })).run;
  await logSteps(acme, root.runId, "loss", [0, 1, 2, 3, 4, 5]);
  const fork = await forkRunOk(acme, { parentRunId: root.runId, step: 3 });
  const done = (await createRunOk(acme, { projectName: "fuzz", name: "done", initialState: "COMPLETED" })).run;
  runIds.push(root.runId, fork.runId, done.runId);
});

// Values of every shape, NUL bytes and lone surrogates included: PostgreSQL refuses NUL
// in text and jsonb, and out-of-range numbers in int4 and bigint.
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.constantFrom("", "a\u0000b", "\ud800", "group:x", "x".repeat(5000), "NaN", "loss"),
);
const int = fc.oneof(fc.constantFrom(...[0, 1, 2, 3].map((i) => () => runIds[i] ?? 0)).map((f) => f()), fc.integer(), fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 53));
const step = fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, -(2 ** 53), 1.5));
const value = fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity", "-Infinity", "nan", "1e999", ""));
const date = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("not a date", "0000-01-01T00:00:00Z", "+275760-09-13T00:00:00.000Z", "2026-02-30T00:00:00Z", ""),
);
const json = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ "a\u0000": 1 }), fc.constant({ k: "a\u0000b" }), fc.constant({ big: 1e308 }));
const state = fc.oneof(fc.constantFrom("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CANCELING", "TERMINATED", "SKIPPED", "PAUSED"), text);
type Field = <T>(a: fc.Arbitrary<T>) => fc.Arbitrary<T | null | undefined | unknown>;
/** Well-typed variables with hostile values reach the resolvers; loose ones test coercion. */
const typed: Field = (a) => fc.option(a, { nil: undefined, freq: 5 });
const loose: Field = (a) => fc.oneof({ weight: 6, arbitrary: a }, fc.constant(null), fc.constant(undefined), fc.anything({ maxDepth: 1 }));
const tags = fc.array(fc.oneof(text, fc.constantFrom("t1", "group:a", "group:b")), { maxLength: 4 });

/** The variable itself: always given when typed. */
const required = (field: Field): Field => (field === typed ? (a) => a : field);

const variables = (build: (field: Field) => fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof({ weight: 4, arbitrary: build(typed) }, { weight: 1, arbitrary: build(loose) });

const MUTATIONS: Record<string, { doc: string; vars: fc.Arbitrary<Record<string, unknown>> }> = {
  createRun: {
    doc: `mutation($input: CreateRunInput!) { createRun(input: $input) { __typename ... on Error { message } } }`,
    vars: variables((field) => fc.record({
      input: required(field)(
        fc.record(
          {
            projectName: field(fc.oneof(fc.constant("fuzz"), text)),
            name: field(text),
            externalId: field(fc.oneof(fc.constant("job"), text)),
            tags: field(tags),
            config: field(json),
            systemMetadata: field(json),
            inputData: field(json),
            createdAt: field(date),
            initialState: field(state),
            notes: field(text),
            runGroup: field(text),
            fork: field(fc.record({ parentRunId: field(int), step: field(step), inheritConfig: field(fc.boolean()) }, { requiredKeys: [] })),
          },
          { requiredKeys: [] },
        ),
      ),
    })),
  },
  forkRun: {
    doc: `mutation($input: ForkRunInput!) { forkRun(input: $input) { __typename ... on Error { message } } }`,
    vars: variables((field) => fc.record({
      input: required(field)(
        fc.record(
          { parentRunId: field(int), step: field(step), name: field(text), externalId: field(text), tags: field(tags), config: field(json), inheritConfig: field(fc.boolean()) },
          { requiredKeys: [] },
        ),
      ),
    })),
  },
  logMetrics: {
    doc: `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { __typename ... on Error { message } } }`,
    vars: variables((field) => fc.record({
      input: required(field)(
        fc.record(
          {
            runId: field(int),
            points: field(fc.array(fc.record({ name: field(text), step: field(step), value: field(value), time: field(date) }, { requiredKeys: [] }), { maxLength: 5 })),
            series: field(
              fc.array(fc.record({ name: field(text), steps: field(fc.array(step, { maxLength: 4 })), values: field(fc.array(value, { maxLength: 4 })), times: field(fc.array(date, { maxLength: 4 })) }, { requiredKeys: [] }), {
                maxLength: 3,
              }),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    })),
  },
  updateRunState: {
    doc: `mutation($input: UpdateRunStateInput!) { updateRunState(input: $input) { __typename ... on Error { message } } }`,
    vars: variables((field) => fc.record({
      input: required(field)(
        fc.record(
          { runId: field(int), state: field(state), force: field(fc.boolean()), metadata: field(json), error: field(fc.record({ message: field(text), code: field(text), details: field(json) }, { requiredKeys: [] })) },
          { requiredKeys: [] },
        ),
      ),
    })),
  },
  updateRun: {
    doc: `mutation($input: UpdateRunInput!) { updateRun(input: $input) { __typename ... on Error { message } } }`,
    vars: variables((field) => fc.record({
      input: required(field)(
        fc.record(
          { runId: field(int), name: field(text), notes: field(text), tags: field(tags), config: field(json), heartbeatAt: field(date), scheduledAt: field(date), runGroup: field(text), result: field(json) },
          { requiredKeys: [] },
        ),
      ),
    })),
  },
  archiveRun: { doc: `mutation($id: Int!) { archiveRun(runId: $id) { __typename ... on Error { message } } }`, vars: variables((field) => fc.record({ id: required(field)(int) })) },
  unarchiveRun: { doc: `mutation($id: Int!) { unarchiveRun(runId: $id) { __typename ... on Error { message } } }`, vars: variables((field) => fc.record({ id: required(field)(int) })) },
  cancelRun: { doc: `mutation($id: Int!) { cancelRun(runId: $id) { __typename ... on Error { message } } }`, vars: variables((field) => fc.record({ id: required(field)(int) })) },
};

/** Every row a mutation can touch. */
const snapshot = () =>
  Promise.all([
    app.counts(),
    app.prisma.run.findMany({ orderBy: { id: "asc" } }),
    app.prisma.project.findMany({ orderBy: { id: "asc" } }),
    app.prisma.metric.findMany({ orderBy: { id: "asc" } }),
    app.prisma.metricRollup.count(),
  ]).then((s) => JSON.stringify(s, (_k, v) => (typeof v === "bigint" ? String(v) : v)));

describe("every mutation, fuzzed", () => {
  for (const [name, { doc, vars }] of Object.entries(MUTATIONS)) {
    it(`${name}: typed answers only, and no write unless it succeeds`, async () => {
      await fc.assert(
        fc.asyncProperty(vars, async (variables) => {
          const before = await snapshot();
          const res = await app.yoga.fetch("http://gateway.test/graphql", {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${acme.key}` },
            body: JSON.stringify({ query: doc, variables }),
          });
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as GqlResponse;
          for (const e of body.errors ?? []) {
            expect(e.extensions?.code, e.message).not.toBe("INTERNAL_SERVER_ERROR");
            expect(e.message).not.toBe("Unexpected error.");
          }
          const outcome = body.data?.[name] as { __typename: string } | undefined;
          if (!outcome?.__typename.endsWith("Success")) expect(await snapshot()).toEqual(before);
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
      );
    });
  }
});

describe("found by the fuzzer, kept as examples", () => {
  it("a JSON object field given an array holding an object whose toString is a string is a validation error", async () => {
    for (const config of [[{ toString: "" }], [{ valueOf: 1, toString: null }], "x"]) {
      const res = await acme.gql(`mutation($input: UpdateRunInput!) { updateRun(input: $input) { __typename } }`, { input: { runId: runIds[0], config } });
      expect(res.data).toBeUndefined();
      expect(res.errors?.map((e) => e.message)).toEqual([expect.stringMatching(/^Variable "\$input" got invalid value .* at "input.config"; JSONObject cannot represent a non-object value/)]);
    }
  });
});

// Pluto's POST routes and the NDJSON ingest, with random bodies: never a 5xx, and nothing
// written unless the answer is 200.
const ROUTES = ["/api/runs/resume", "/api/runs/status/update", "/api/runs/logName/add", "/api/runs/tags/update", "/api/runs/config/update", "/api/runs/notes/update", "/api/runs/trigger", "/api/runs/alert", "/api/slug"];
const restBody = fc.oneof(
  { weight: 4, arbitrary: variables((field) =>
    fc.record(
      {
        runId: field(int),
        displayId: field(fc.oneof(fc.constantFrom("FUZ-1", "FUZ-2", "x-1", "FUZ-"), text)),
        externalId: field(fc.oneof(fc.constant("job"), text)),
        projectName: field(fc.oneof(fc.constant("fuzz"), text)),
        status: field(fc.constantFrom("RUNNING", "COMPLETED", "FAILED", "TERMINATED", "CANCELLED", "nope")),
        statusMetadata: field(fc.oneof(fc.constant('{"trace": "x"}'), text)),
        statusUpdated: field(fc.oneof(fc.integer(), fc.constantFrom(8.64e15, 253402300800000))),
        logName: field(fc.array(text, { maxLength: 3 })),
        logType: field(fc.constantFrom("METRIC", "IMAGE", "TEXT", "nope")),
        tags: field(tags),
        config: field(fc.oneof(fc.constant('{"lr": {"a": 1}}'), fc.constant('{"k": "a\\u0000b"}'), text)),
        notes: field(text),
        alert: field(fc.record({ level: field(text), title: field(text), body: field(text), timestamp: field(fc.oneof(fc.integer(), fc.constant(8.64e15))) }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
  ) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant("{not json"), fc.jsonValue()).map((v) => ({ raw: typeof v === "string" ? v : JSON.stringify(v) })) },
);
const line = fc.oneof(
  fc.record({ time: field2(fc.oneof(fc.integer({ min: 0 }), fc.constant(8.64e15))), step: field2(step), data: field2(fc.dictionary(text, value, { maxKeys: 3 })) }, { requiredKeys: [] }).map((o) => JSON.stringify(o).replace(/"(NaN|-?Infinity)"/g, "$1")),
  fc.string(),
  fc.constant('{"time": 1, "step": 1, "data": {"loss": NaN}}'),
);
function field2<T>(a: fc.Arbitrary<T>) {
  return fc.option(a, { nil: undefined, freq: 6 });
}

describe("Pluto's routes, fuzzed", () => {
  it("POST routes: never 5xx, nothing written unless 200", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), restBody, async (route, body) => {
        const before = await snapshot();
        const res = await app.yoga.fetch(`http://gateway.test${route}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${acme.key}` },
          body: "raw" in body ? (body.raw as string) : JSON.stringify(body),
        });
        expect(res.status, await res.clone().text()).toBeLessThan(500);
        if (res.status !== 200) expect(await snapshot()).toEqual(before);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) * 2 },
    );
  });

  it("GET routes: NUL, huge and odd parameters are refused or not found, never a 5xx", async () => {
    const odd = ["a%00b", "%F0%9F%92%A5", "x".repeat(3000), "", "FUZ-1%00", "-1", "99999999999"];
    for (const v of odd) {
      for (const path of [
        `/api/runs/details/${v}`,
        `/api/runs/details/by-display-id/${v}?projectName=${v}`,
        `/api/runs/list?projectName=${v}&search=${v}&tags=${v}&status=${v}&sort=${v}&filter=${v}`,
        `/api/runs/metrics?runId=${runIds[0]}&projectName=${v}&logName=${v}&logGroup=${v}`,
      ]) {
        const res = await app.yoga.fetch(`http://gateway.test${path}`, { headers: { authorization: `Bearer ${acme.key}` } });
        expect(res.status, `${path}: ${await res.text()}`).toBeLessThan(500);
      }
    }
  });

  it("NDJSON ingest: never 5xx, a body stored whole or not at all", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), int, async (lines, runId) => {
        const before = await snapshot();
        const res = await app.yoga.fetch("http://gateway.test/ingest/metrics", {
          method: "POST",
          headers: { "content-type": "application/x-ndjson", authorization: `Bearer ${acme.key}`, "x-run-id": String(runId), "x-project-name": "fuzz" },
          body: lines.join("\n"),
        });
        expect(res.status, await res.clone().text()).toBeLessThan(500);
        if (res.status !== 200) expect(await snapshot()).toEqual(before);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
  });
});
