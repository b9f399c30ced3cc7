import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { listen, restClient } from "./helpers/http.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// Random and malformed bodies: the answer is always 200, 400 or 401 with a JSON error
// string, never a 500, and rows change only on 200.

let app: TestApp;
let acme: TestOrg;
let post: ReturnType<typeof restClient>;

beforeAll(async () => {
  app = await createTestApp();
  acme = await app.org("acme", { runLimit: 40 });
  post = restClient(await listen(app.yoga));
  await post("/api/runs/create", { runName: "parent", projectName: "p" }, { authorization: `Bearer ${acme.key}` });
});

const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null), fc.constant(undefined), fc.anything());
const jsonText = fc.oneof(
  fc.json(),
  fc.constant("null"),
  fc.string(),
  fc.constant("{not json"),
  fc.constant("[1,2]"),
  fc.constant('{"k": "a\\u0000b"}'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ v })),
);
// Full-Unicode strings, NUL included: PostgreSQL refuses NUL in text and \u0000 in jsonb.
const anyText = (maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.string({ maxLength, unit: "binary" }), fc.constant("a\u0000b"));
const tag = fc.oneof(anyText(8), fc.constantFrom("group:a", "group:b", ""));
const body = fc.record(
  {
    runName: maybe(fc.string({ maxLength: 300 })),
    projectName: maybe(fc.oneof(fc.constantFrom("p", "q"), fc.string({ maxLength: 300 }))),
    externalId: maybe(fc.oneof(fc.constantFrom("e1", "e2", ""), fc.string({ maxLength: 5 }))),
    tags: maybe(fc.array(tag, { maxLength: 55 })),
    config: maybe(jsonText),
    systemMetadata: maybe(jsonText),
    loggerSettings: maybe(jsonText),
    createdAt: maybe(fc.oneof(fc.integer({ min: -10, max: 2 ** 31 }), fc.double(), fc.constant(8.64e15 + 1))),
    forkRunId: maybe(fc.oneof(fc.constantFrom(0, 1, 2, 999), fc.integer())),
    forkStep: maybe(fc.oneof(fc.nat(10), fc.integer(), fc.double())),
    inheritConfig: maybe(fc.boolean()),
    inheritTags: maybe(fc.boolean()),
  },
  { requiredKeys: [] },
);
// Mostly well-formed bodies, so that creates, resumes and forks (and their refusals) happen.
const plausible = fc.record(
  {
    runName: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), anyText(20)),
    projectName: fc.constantFrom("p", "q"),
    externalId: fc.option(fc.oneof(fc.constantFrom("e1", "e2", "e3"), anyText(4)), { nil: null }),
    tags: fc.option(fc.array(tag, { maxLength: 3 }), { nil: null }),
    config: fc.option(fc.oneof(fc.constant('{"lr": 1}'), fc.constant("null"), jsonText), { nil: null }),
    createdAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: null }),
    forkRunId: fc.option(fc.constantFrom(0, 1, 2, 999), { nil: null }),
    forkStep: fc.option(fc.nat(3), { nil: null }),
  },
  { requiredKeys: ["runName", "projectName"] },
);
const rawBody = fc.oneof(
  { weight: 5, arbitrary: plausible.map((b) => JSON.stringify(b)) },
  { weight: 4, arbitrary: body.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.json() },
);
const auth = fc.oneof(
  { weight: 8, arbitrary: fc.constant("valid") },
  { weight: 1, arbitrary: fc.constantFrom("", "Bearer ", "Bearer mlps_short", "Basic abc") },
  { weight: 1, arbitrary: fc.string() },
);

describe("POST /api/runs/create with random bodies", () => {
  it("never answers 500, always a JSON error string when refused, and writes only on 200", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(rawBody, auth, async (text, authorization) => {
        const before = await app.counts();
        const headers: Record<string, string> = {};
        if (authorization === "valid") headers.authorization = `Bearer ${acme.key}`;
        else if (authorization) headers.authorization = authorization;
        const answer = await post("/api/runs/create", text, headers);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect([200, 400, 401]).toContain(answer.status);
        if (answer.status !== 200) {
          expect(typeof answer.body.error).toBe("string");
          expect(await app.counts()).toEqual(before);
        } else {
          expect(typeof answer.body.runId).toBe("number");
        }
      }),
      // FUZZ_RUNS=10000 for the figure; 300 keep CI short.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    // The generators reach all three answers.
    expect([...statuses.keys()].sort()).toEqual([200, 400, 401]);
  });
});
