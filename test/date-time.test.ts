import { describe, expect, it } from "vitest";
import { DateTimeScalar, isoString } from "../src/graphql/date-time.js";

// The DateTime scalar formats dates itself (src/graphql/date-time.ts): its text must be
// toISOString's for every date, and its errors graphql-scalars'.
describe("DateTime output", () => {
  const day = 86_400_000;
  const edges = [
    0, -1, 1, 999, 1000, day - 1, day, -day, -day - 1,
    Date.parse("0000-01-01T00:00:00.000Z"), Date.parse("0000-01-01T00:00:00.000Z") - 1,
    Date.parse("9999-12-31T23:59:59.999Z"), Date.parse("9999-12-31T23:59:59.999Z") + 1,
    Date.parse("0001-01-01T00:00:00.000Z"), Date.parse("1600-02-29T12:00:00.000Z"), Date.parse("1900-03-01T00:00:00.000Z"),
    Date.parse("2000-02-29T23:59:59.999Z"), Date.parse("2100-03-01T00:00:00.010Z"), Date.parse("2026-11-23T10:56:32.147Z"),
    8.64e15, -8.64e15,
  ];

  it("is toISOString's text at the edges of days, months, leap years and the four-digit years", () => {
    for (const t of edges) expect(isoString(new Date(t)), String(t)).toBe(new Date(t).toISOString());
  });

  it("is toISOString's text for random instants across every representable year", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 200_000; i++) {
      // Half over the whole range of Date, half over the years a run is likely to have.
      const t = Math.round(i % 2 ? (random() * 2 - 1) * 8.64e15 : Date.parse("1960-01-01") + random() * 120 * 365.25 * day);
      const date = new Date(t);
      if (isoString(date) !== date.toISOString()) expect(isoString(date), String(t)).toBe(date.toISOString());
    }
  });

  it("serializes Dates, ISO strings and epoch milliseconds as before, and refuses what graphql-scalars refuses", () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("2024-01-02T03:04:05.006Z");
    expect(DateTimeScalar.serialize("2024-01-02T04:04:05.006+01:00")).toBe("2024-01-02T03:04:05.006Z");
    expect(DateTimeScalar.serialize(1_704_164_645_006)).toBe("2024-01-02T03:04:05.006Z");
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow(/invalid Date/);
    expect(() => DateTimeScalar.serialize("yesterday")).toThrow(/invalid date-time-string/);
    expect(() => DateTimeScalar.serialize({})).toThrow(/non string/);
  });
});
