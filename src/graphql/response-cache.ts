import { getDocumentString, type Plugin } from "@envelop/core";
import { getOperationAST, type ExecutionResult, type GraphQLSchema } from "graphql";
import type { Sql } from "../db/sql.js";
import type { Context } from "./context.js";
import { queryCost } from "./query-cost.js";
import { DEFAULT_PAGE } from "./query-limits.js";

// Answers to repeated reads, kept only while the database is provably unchanged.
//
// Each answer is stored with the PostgreSQL snapshot (`pg_current_snapshot()`: xmin, xmax and
// the transactions in progress) read before it was computed. A later identical request reads
// the snapshot again; the two are equal only if no transaction that writes was started or
// ended in between (every write takes a transaction id, which moves xmax or the in-progress
// list), so every statement the first answer ran saw the data the second would see. The
// check is one statement against the shared database, so it holds across replicas with no
// message between them, and whoever wrote (another replica, the CLI, plain SQL).
//
// The price is coarseness: a write anywhere in the cluster invalidates every entry, so the
// cache pays off in read-mostly periods (a team browsing finished experiments) and costs one
// statement per cacheable query while training runs are logging. Only queries whose cost
// (query-cost.ts) reaches MIN_COST are cached: a cheap query answered from memory already
// (the viewer) would only gain a statement.

/** Queries cheaper than this are not cached: a page of a few runs with a nested list is about this; one run's fields are far below. */
const MIN_COST = 100;

interface Entry {
  snapshot: string;
  json: string;
  /** What the entry holds in memory: its answer and its key (which holds the document). */
  size: number;
}

/** A result Yoga serializes with `stringify` (as graphql-jit's results are). */
type Stringified = ExecutionResult & { stringify?: (r: ExecutionResult) => string };

/** `maxBytes`: total size of the kept answers and their keys. */
export function useResponseCache(schema: GraphQLSchema, maxBytes: number): Plugin {
  // Insertion order is recency: a hit moves its entry to the end, eviction takes the first.
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const evict = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= e.size;
  };
  const store = (key: string, entry: Entry) => {
    if (entry.size > maxBytes / 8) return; // one answer never takes the cache over
    evict(key);
    entries.set(key, entry);
    bytes += entry.size;
    for (const oldest of entries.keys()) {
      if (bytes <= maxBytes) break;
      evict(oldest);
    }
  };

  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as Context & { restCaller?: unknown };
      // REST routes run their own operations, writes mostly; subscriptions stream.
      if (!ctx.caller || ctx.restCaller) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== "query") return;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      if (queryCost(schema, args.document, args.operationName, variables, DEFAULT_PAGE) < MIN_COST) return;
      const document = getDocumentString(args.document);
      if (!document) return;
      // The key names the caller's key: `viewer` answers differ between keys of one organization.
      const key = `${ctx.caller.organizationId}:${ctx.caller.apiKeyId}:${args.operationName ?? ""}:${JSON.stringify(variables)}:${document}`;
      return currentSnapshot(ctx.sql).then((snapshot) => {
        const hit = entries.get(key);
        if (hit && hit.snapshot === snapshot) {
          entries.delete(key);
          entries.set(key, hit);
          setResultAndStopExecution({ stringify: () => hit.json } as Stringified);
          return;
        }
        return {
          onExecuteDone({ result }) {
            // Only complete, error-free answers: an error may be transient (an outage, a limit).
            if (!result || Symbol.asyncIterator in result) return;
            const r = result as Stringified;
            if (r.errors?.length || r.extensions) return;
            const json = JSON.stringify(r);
            r.stringify = () => json;
            store(key, { snapshot, json, size: key.length + json.length });
          },
        };
      });
    },
  };
}

/** The database's snapshot: equal twice only if no writing transaction began or ended in between. */
async function currentSnapshot(sql: Sql): Promise<string> {
  const [row] = await sql.query<{ s: string }>("SELECT pg_current_snapshot()::text AS s");
  return row!.s;
}
