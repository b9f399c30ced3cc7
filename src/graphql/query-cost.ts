import {
  Kind,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

// What a query can cost, before it runs: every field costs 1, and what is under a field
// that returns a page or a list counts once per item it may hold. A page holds its
// `first`, `last` or `count` argument (literal or variable), or the default page size; a
// list without one (a run's metrics, lineage, log names) counts as a default page. The
// `nodes`/`edges` of a connection are its page, not another multiplication. So
// `projects(first: 5) { nodes { runs(first: 50) { nodes { stateHistory(first: 5) {…} } } } }`
// costs about 5 × 50 × 5 × (fields below), whatever the depth.

const PAGE_ARGS = new Set(["first", "last", "count"]);

function numberOf(value: ValueNode, variables: Record<string, unknown>): number | null {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === "number" ? v : null;
  }
  return null;
}

const unwrap = (t: GraphQLType): GraphQLType => (isNonNullType(t) ? t.ofType : t);
const isPage = (t: GraphQLNamedType) => t.name.endsWith("Connection") || t.name.endsWith("Edge");

// Yoga's parser cache hands the same DocumentNode to every request of one query string:
// a cost that no variable changes is computed once per document and operation.
const fixedCosts = new WeakMap<DocumentNode, Map<string, number>>();
// A cost that does depend on variables is asked for twice per execution (the cost limit, then
// the response cache), with the execution's one variables object: it is kept against that.
const variableCosts = new WeakMap<object, { document: DocumentNode; operationName: string; n: number }>();

export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  defaultPage: number,
): number {
  const known = fixedCosts.get(document)?.get(operationName ?? "");
  if (known !== undefined) return known;
  const last = variableCosts.get(variables);
  if (last && last.document === document && last.operationName === (operationName ?? "")) return last.n;
  let usesVariables = false;
  const n = computeCost(schema, document, operationName, variables, defaultPage, () => (usesVariables = true));
  if (!usesVariables) {
    const byOperation = fixedCosts.get(document) ?? new Map<string, number>();
    byOperation.set(operationName ?? "", n);
    fixedCosts.set(document, byOperation);
  } else {
    variableCosts.set(variables, { document, operationName: operationName ?? "", n });
  }
  return n;
}

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  defaultPage: number,
  onVariable: () => void,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.find((o) => (operationName ? o.name?.value === operationName : true)) ?? operations[0];
  if (!operation) return 0;
  const root = operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getQueryType();

  const cost = (set: SelectionSetNode | undefined, parent: GraphQLNamedType | null | undefined, visiting: ReadonlySet<string>): number => {
    let total = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (!s.selectionSet) {
          total += 1;
          continue;
        }
        const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[s.name.value] : undefined;
        const type = def ? getNamedType(def.type) : undefined;
        const size = s.arguments?.find((a) => PAGE_ARGS.has(a.name.value));
        let items = 1;
        if (size) {
          if (size.value.kind === Kind.VARIABLE) onVariable();
          items = numberOf(size.value, variables) ?? defaultPage;
        }
        else if (def && type && (type.name.endsWith("Connection") || (isListType(unwrap(def.type)) && !(parent && isPage(parent))))) items = defaultPage;
        total += 1 + Math.max(items, 1) * cost(s.selectionSet, type, visiting);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        total += cost(s.selectionSet, s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent, visiting);
      } else {
        const name = s.name.value;
        const fragment = fragments.get(name);
        // A fragment spread into itself is invalid (validation says so): count it once here.
        if (!fragment || visiting.has(name)) continue;
        total += cost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), new Set([...visiting, name]));
      }
    }
    return total;
  };
  return cost(operation.selectionSet, root, new Set());
}
