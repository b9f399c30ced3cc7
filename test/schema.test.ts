import { readFileSync } from "node:fs";
import { printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../src/graphql/schema/index.js";

describe("schema.graphql", () => {
  it("is the SDL printed from the code (run `npm run print-schema` after changing types)", () => {
    expect(readFileSync("schema.graphql", "utf8")).toBe(printSchema(schema) + "\n");
  });

  it("keeps the contract's names", () => {
    const sdl = printSchema(schema);
    for (const name of [
      "type Run implements Node",
      "type Project implements Node",
      "union CreateRunResult = CreateRunSuccess | LimitExceededError | NotFoundError | ValidationError",
      "interface Error",
      "scalar MetricValue",
      "type RunConnection",
      "stateHistory(",
      "lineage: [Run!]!",
      "metric(name: String!): MetricSeries",
    ]) {
      expect(sdl).toContain(name);
    }
  });
});
