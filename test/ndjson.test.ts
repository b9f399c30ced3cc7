import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NdjsonError, parseNdjson } from "../src/rest/ndjson.js";

// Python's json.dumps writes bare NaN, Infinity and -Infinity; everything else is JSON.

describe("NDJSON lines", () => {
  it("read bare non-finite numbers, and leave the same words inside strings alone", () => {
    const body = [
      `{"a": NaN, "b": -Infinity, "c": Infinity, "s": "NaN and Infinity", "q": "say \\"NaN\\"", "n": [NaN, 1]}`,
      ``,
      `{"plain": 1}`,
    ].join("\n");
    const [first, second] = parseNdjson(body, (v) => v as any);
    expect(Number.isNaN(first.a)).toBe(true);
    expect([first.b, first.c, first.s, first.q]).toEqual([-Infinity, Infinity, "NaN and Infinity", 'say "NaN"']);
    expect(Number.isNaN(first.n[0])).toBe(true);
    expect(second).toEqual({ plain: 1 });
  });

  it("name the first bad line", () => {
    expect(() => parseNdjson(`{"a": 1}\n{"a": nope}\n`, (v) => v)).toThrow(new NdjsonError(2, "not valid JSON"));
    expect(() => parseNdjson(`{"a": NaNa}\n`, (v) => v)).toThrow(/line 1/);
  });

  it("read back what Python-style serialization of any numbers and strings writes", () => {
    const pyDumps = (v: unknown): string =>
      typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity")
      : Array.isArray(v) ? `[${v.map(pyDumps).join(", ")}]`
      : JSON.stringify(v);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double().map((d) => (Object.is(d, -0) ? 0 : d)), fc.string(), fc.constantFrom("NaN", "-Infinity", "\\\"NaN")), { maxLength: 8 }), (values) => {
        const [read] = parseNdjson(pyDumps(values), (v) => v as unknown[]);
        expect(read).toEqual(values);
      }),
    );
  });
});
