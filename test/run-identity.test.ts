import { describe, expect, it } from "vitest";
import Sqids from "sqids";
import { formatDisplayId, parseDisplayId } from "../src/domain/display-id.js";
import { runPrefix } from "../src/domain/run-prefix.js";
import { runSqid, runUrl } from "../src/domain/run-url.js";

describe("run prefix (run-model.md examples)", () => {
  it.each([
    ["my-ml-project", "MMP"],
    ["training", "TRA"],
    ["image-classification", "ICL"],
    ["resnet-50", "R50"],
    ["a", "A"],
    ["my project name", "MPN"],
    ["my-ml_project.v2", "MMPV"],
    ["", "RUN"],
    ["--__..", "RUN"],
    ["a-b-c-d-e-f", "ABCD"],
    ["x_y", "XY"],
  ])("%j → %s", (name, prefix) => {
    expect(runPrefix(name)).toBe(prefix);
  });
});

describe("display ids", () => {
  it("formats and parses PREFIX-NUMBER, prefixes with digits and dashes included", () => {
    expect(formatDisplayId("MMP", 7)).toBe("MMP-7");
    expect(formatDisplayId("MMP", null)).toBeNull();
    expect(parseDisplayId("MMP-7")).toEqual({ prefix: "MMP", number: 7 });
    expect(parseDisplayId("r50-12")).toEqual({ prefix: "R50", number: 12 });
    expect(parseDisplayId("A-B-3")).toEqual({ prefix: "A-B", number: 3 });
    expect(parseDisplayId("MMP")).toBeNull();
    expect(parseDisplayId("MMP-x")).toBeNull();
  });
});

describe("run url", () => {
  it("encodes the run id with sqids over a-zA-Z0-9, at least 5 characters, and url-encodes the project", () => {
    const decoder = new Sqids({ alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", minLength: 5 });
    for (const id of [1, 42, 99_999, 2_147_483_647]) {
      const sqid = runSqid(id);
      expect(sqid.length).toBeGreaterThanOrEqual(5);
      expect(decoder.decode(sqid)).toEqual([id]);
    }
    expect(runUrl("http://h:4000", "acme", "my project/x", 42)).toBe(`http://h:4000/o/acme/projects/my%20project%2Fx/${runSqid(42)}`);
  });
});
