import { getNamedType, getOperationAST, isObjectType, Kind, type DocumentNode, type ExecutionArgs, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { Plugin } from "graphql-yoga";

// Which clients' documents graphql-jit may compile. Compiled execution costs a run list about
// a third less CPU than graphql-js (bench/README.md), but two things keep it from every document:
// - Pothos's Prisma fields find what their parent's statement loaded by graphql-js's path
//   objects, and a compiled query makes a fresh path object at every call: under it, such a
//   field may not find its row's plan and read the rows again. So a document may hold only
//   fields that resolve without a plan (plain fields and request loaders, which is all the
//   frontend's run list needs: a project's runs are one plain statement, run-list.ts) and
//   the fields of state events (always read by a loader, never by a plan).
//   test/compiled-execution.test.ts checks the same answers and the same statements either way.
// - Compiling costs far more than one execution: a document is compiled once it has been run
//   `HOT_AFTER` times, so a stream of one-off documents never is. Yoga keeps parsed documents
//   in a bounded cache, and compiled ones are kept beside them (a WeakMap by document).
// A compiled answer is used only when it holds no error: graphql-jit reports errors its own
// way (one per failed list item, without locations), so an execution that fails runs again
// on graphql-js, whose answer is the reference.

/** Executions of a document before it is compiled. */
export const HOT_AFTER = 3;

/** Types whose rows come from request loaders only. */
const LOADED_TYPES = new Set(["RunStateEvent"]);

/** A field Pothos answers from its row's loading plan. */
const usesPlan = (extensions: Record<string, unknown> | undefined) =>
  extensions?.pothosPrismaSelect !== undefined || extensions?.pothosPrismaRelationField !== undefined;

/** Whether every field of the document's operation is one compiled execution answers as graphql-js does. */
export function compilable(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation || operation.operation !== "query") return false;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const walk = (type: GraphQLObjectType, set: SelectionSetNode): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        return isObjectType(on) ? walk(on, s.selectionSet) : false;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (!f) return false;
        const on = schema.getType(f.typeCondition.name.value);
        if (seen.has(s.name.value)) return true;
        seen.add(s.name.value);
        return isObjectType(on) ? walk(on, f.selectionSet) : false;
      }
      if (s.name.value.startsWith("__")) return true;
      const field = type.getFields()[s.name.value];
      if (!field) return false;
      if (usesPlan(field.extensions as Record<string, unknown> | undefined) && !LOADED_TYPES.has(type.name)) return false;
      if (!s.selectionSet) return true;
      const named = getNamedType(field.type);
      // Interfaces and unions are left to graphql-js: their members' fields are not checked here.
      return isObjectType(named) && walk(named, s.selectionSet);
    });
  const root = schema.getQueryType();
  return root != null && walk(root, operation.selectionSet);
}

/**
 * What is known of each operation of a document, kept by document object, so that it goes
 * when Yoga's parse cache drops the document. A document may hold several operations, each
 * run by name: they are compiled, judged and counted apart.
 */
function byOperation<T>(): (document: DocumentNode, operationName: string | null | undefined, make: () => T) => T {
  const known = new WeakMap<DocumentNode, Map<string, T>>();
  return (document, operationName, make) => {
    let operations = known.get(document);
    if (!operations) known.set(document, (operations = new Map()));
    const name = operationName ?? "";
    let value = operations.get(name);
    if (value === undefined) operations.set(name, (value = make()));
    return value;
  };
}

/** Compiled execution of `enabled` documents (see above); every other one runs on graphql-js. */
export function useCompiledExecution(enabled: (args: ExecutionArgs) => boolean): Plugin {
  const compiled = byOperation<{ query: CompiledQuery | null }>();
  const compiledOf = (args: ExecutionArgs) =>
    compiled(args.document, args.operationName, () => {
      const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      return { query: isCompiledQuery(result) ? result : null };
    }).query;
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!enabled(args)) return;
      const query = compiledOf(args);
      if (!query) return;
      setExecuteFn(async (a) => {
        const result = await query.query(a.rootValue, a.contextValue, a.variableValues);
        if (result.errors?.length) return executeFn(a);
        return Object.assign(result, { stringify: query.stringify });
      });
    },
  };
}

/** Whether to compile a client's operation: a compilable one, once hot. */
export function hotCompilableDocuments(schema: GraphQLSchema): (document: DocumentNode, operationName?: string | null) => boolean {
  const operations = byOperation<{ compilable: boolean; runs: number }>();
  return (document, operationName) => {
    const operation = operations(document, operationName, () => ({ compilable: compilable(schema, document, operationName), runs: 0 }));
    return operation.compilable && ++operation.runs > HOT_AFTER;
  };
}
