import { normalizeState, type RunStateName } from "../domain/run-state.js";
import type { RunFilter } from "../domain/run-query.js";
import type { MetricCondition } from "../domain/runs-by-metric.js";

// The `filter` parameter of GET /api/runs/list: JSON in the wandb/MongoDB style the SDK
// passes through, read as far as it maps onto the gateway's run filters. Anything else is
// refused with a message naming it, never silently ignored.
//
//   {"state": "RUNNING"}  {"status": {"$in": ["COMPLETED", "FAILED"]}}
//   {"tags": "x"}  {"tags": {"$in": ["x", "y"]}}                       (any of them)
//   {"name": {"$regex": "resnet"}}  {"display_name": "resnet"}         (substring, any case)
//   {"createdAt": {"$gte": "2026-01-01T00:00:00Z", "$lt": "2026-02-01T00:00:00Z"}}
//   {"summary_metrics.loss": {"$lt": 0.1}}                            (last value, effective history)
//   {"$and": [ … ]}

export class FilterError extends Error {}

type Ops = Record<string, unknown>;
const isObject = (v: unknown): v is Ops => typeof v === "object" && v !== null && !Array.isArray(v);

function values(key: string, v: unknown): unknown[] {
  if (!isObject(v)) return [v];
  const ops = Object.keys(v);
  if (ops.length === 1 && ops[0] === "$in" && Array.isArray(v.$in)) return v.$in;
  if (ops.length === 1 && ops[0] === "$eq") return [v.$eq];
  throw new FilterError(`filter: ${key} takes a value, {"$eq": v} or {"$in": [...]}`);
}

function strings(key: string, v: unknown): string[] {
  const list = values(key, v);
  if (!list.every((x): x is string => typeof x === "string")) throw new FilterError(`filter: ${key} takes strings`);
  return list;
}

function date(key: string, v: unknown): Date {
  const d = typeof v === "string" || typeof v === "number" ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new FilterError(`filter: ${key} takes ISO 8601 dates or epoch milliseconds`);
  return d;
}

function apply(filter: RunFilter, key: string, v: unknown): void {
  if (key === "$and") {
    if (!Array.isArray(v)) throw new FilterError("filter: $and takes a list");
    for (const part of v) read(filter, part);
  } else if (key === "state" || key === "status") {
    const states = strings(key, v).map((s) => normalizeState(s));
    if (states.some((s) => s == null)) throw new FilterError(`filter: unknown ${key} in ${JSON.stringify(v)}`);
    restrictStates(filter, states as RunStateName[]);
  } else if (key === "tags") {
    filter.tagsAny = [...(filter.tagsAny ?? []), ...strings(key, v)];
  } else if (key === "name" || key === "display_name" || key === "displayName") {
    const text = isObject(v) && Object.keys(v).length === 1 && typeof v.$regex === "string" ? v.$regex : typeof v === "string" ? v : null;
    if (text == null || /[\\^$.*+?()[\]{}|]/.test(text)) throw new FilterError(`filter: ${key} takes a plain substring, as a string or {"$regex": "text"}`);
    filter.nameContains = text;
  } else if (key === "createdAt" || key === "created_at") {
    if (!isObject(v)) throw new FilterError(`filter: ${key} takes {"$gt"|"$gte"|"$lt"|"$lte": date}`);
    for (const [op, x] of Object.entries(v)) {
      if (op === "$gt" || op === "$gte") filter.createdAfter = date(key, x);
      else if (op === "$lt" || op === "$lte") filter.createdBefore = date(key, x);
      else throw new FilterError(`filter: ${key} does not take ${op}`);
    }
  } else if (/^summary_?[mM]etrics\./.test(key)) {
    filter.metrics = [...(filter.metrics ?? []), metricCondition(key.slice(key.indexOf(".") + 1), v)];
  } else {
    throw new FilterError(`filter: unsupported key ${JSON.stringify(key)}`);
  }
}

function metricCondition(name: string, v: unknown): MetricCondition {
  const c: MetricCondition = { name, aggregate: "LAST" };
  const ops: Ops = isObject(v) ? v : { $eq: v };
  for (const [op, x] of Object.entries(ops)) {
    if (typeof x !== "number") throw new FilterError(`filter: ${name} takes numbers`);
    if (op === "$lt") c.lt = x;
    else if (op === "$lte") c.lte = x;
    else if (op === "$gt") c.gt = x;
    else if (op === "$gte") c.gte = x;
    else if (op === "$eq") c.gte = c.lte = x;
    else throw new FilterError(`filter: ${name} does not take ${op}`);
  }
  return c;
}

/** Narrows the filter to `states` (both must hold: the states in both lists). */
export function restrictStates(filter: RunFilter, states: RunStateName[]): void {
  filter.states = filter.states ? filter.states.filter((s) => states.includes(s)) : states;
}

function read(filter: RunFilter, json: unknown): void {
  if (!isObject(json)) throw new FilterError("filter must be a JSON object");
  for (const [key, v] of Object.entries(json)) apply(filter, key, v);
}

/** The run filter a `filter` parameter means, or FilterError naming what it cannot. */
export function parseListFilter(text: string): RunFilter {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FilterError("filter is not valid JSON");
  }
  const filter: RunFilter = {};
  read(filter, json);
  return filter;
}
