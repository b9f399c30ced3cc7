import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

// What a resolver's selection asks for, so that it reads only that: a connection's count, a
// list's lineage. Answers are kept by the field's nodes, which every row of a list shares:
// a list's 50 rows ask the same question of the same selection.
const answers = new WeakMap<readonly FieldNode[], Map<string, boolean>>();

/** The fields named `name` directly within `set`, fragments included. */
function fieldsNamed(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[], name: string): FieldNode[] {
  const found: FieldNode[] = [];
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === name) found.push(s);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        visit(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  return found;
}

/**
 * Whether the field being resolved selects the path of fields beneath it (`["nodes",
 * "forks"]`), fragments included (directives are not evaluated: a skipped field counts as
 * selected).
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const key = path.join(".");
  let known = answers.get(info.fieldNodes);
  if (!known) answers.set(info.fieldNodes, (known = new Map()));
  let answer = known.get(key);
  if (answer === undefined) {
    let level: readonly FieldNode[] = info.fieldNodes;
    for (const name of path) level = fieldsNamed(info, level.map((f) => f.selectionSet), name);
    known.set(key, (answer = level.length > 0));
  }
  return answer;
}

/** Whether the field being resolved selects `name` directly beneath it (see selectsPath). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return selectsPath(info, [name]);
}

/** Whether a connection's nodes select `name`, as `nodes { name }` or `edges { node { name } }`. */
export function selectsNodeField(info: GraphQLResolveInfo, name: string): boolean {
  return selectsPath(info, ["nodes", name]) || selectsPath(info, ["edges", "node", name]);
}

/** Whether a connection's page is read: its edges, nodes or page info (else at most its count). */
export function selectsPage(info: GraphQLResolveInfo): boolean {
  return selectsField(info, "edges") || selectsField(info, "nodes") || selectsField(info, "pageInfo");
}
