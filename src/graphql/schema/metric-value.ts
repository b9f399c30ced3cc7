import { Kind } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import { builder } from "../builder.js";

// JSON numbers cannot carry NaN or ±Infinity, which training runs produce: they travel as
// the strings "NaN", "Infinity" and "-Infinity".
const SPECIAL: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };

function parse(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value in SPECIAL) return SPECIAL[value]!;
  throw createGraphQLError(`MetricValue must be a number or one of "NaN", "Infinity", "-Infinity" (got ${JSON.stringify(value)}).`);
}

export function serializeMetricValue(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
  return v;
}

builder.scalarType("MetricValue", {
  description: 'A double: a JSON number, or "NaN", "Infinity" or "-Infinity".',
  serialize: (v) => serializeMetricValue(v as number),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return Number(ast.value);
    if (ast.kind === Kind.STRING) return parse(ast.value);
    throw createGraphQLError("MetricValue must be a number or a string.");
  },
});
