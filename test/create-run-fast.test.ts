import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createFast } from "../src/domain/create-run-fast.js";
import type { CreateRunInput } from "../src/domain/create-run.js";
import { createTestApp, type TestApp, type TestOrg } from "./helpers/test-app.js";

// createFast builds the run it answers from what it inserted instead of reading the row
// back: it must be the row a later read gives, field by field, as a client sees it (JSON).

let app: TestApp;
let org: TestOrg;
beforeAll(async () => {
  app = await createTestApp();
  org = await app.org("fast");
});

const text = fc.string({ unit: fc.constantFrom(..."abcXYZ019 _-/:é"), minLength: 1, maxLength: 12 });
const scalar = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), text, fc.constant(null));
const object = fc.dictionary(text, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(text, scalar, { maxKeys: 3 })), { maxKeys: 5 });
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const date = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true });

const input: fc.Arbitrary<CreateRunInput> = fc.record({
  projectName: fc.constantFrom("alpha", "beta-project", "Gamma Ray"),
  name: text,
  externalId: optional(text),
  notes: optional(text),
  tags: optional(fc.array(fc.oneof(text, text.map((t) => `group:${t}`)), { maxLength: 4 }).map((t) => [...new Set(t)].filter((x, i, all) => !x.startsWith("group:") || all.findIndex((y) => y.startsWith("group:")) === i))),
  runGroup: optional(text),
  config: optional(object),
  systemMetadata: optional(object),
  loggerSettings: optional(object),
  inputData: optional(object),
  result: optional(object),
  runtimeConfig: optional(object),
  pipelineSpec: optional(object),
  pipelineId: optional(text),
  pipelineVersionId: optional(text),
  serviceAccount: optional(text),
  createdAt: optional(date),
  updatedAt: optional(date),
  scheduledAt: optional(date),
  initialState: optional(fc.constantFrom("PENDING" as const, "RUNNING" as const, "COMPLETED" as const, "FAILED" as const)),
});

/** What a client sees of a value: JSON, keys in any order. */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x)));

describe("createFast", () => {
  it("answers the run a later read gives, field by field", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(input, async (given) => {
        const run = await createFast(app.db.sql, org.id, { ...given, externalId: given.externalId && `${given.externalId}-${++n}` });
        expect(run).not.toBeNull();
        const { project, forkedFrom, ...answered } = run!;
        const stored = await app.prisma.run.findUniqueOrThrow({ where: { id: run!.id }, include: { project: true } });
        const { project: storedProject, ...storedRun } = stored;
        expect(asJson(answered)).toEqual(asJson(storedRun));
        expect(project).toEqual({ name: storedProject.name, runPrefix: storedProject.runPrefix });
        expect(forkedFrom).toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});
