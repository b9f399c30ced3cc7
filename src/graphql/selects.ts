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

/** The fields at the end of `path` beneath `fieldNodes`, fragments included. */
function fieldsAt(info: GraphQLResolveInfo, fieldNodes: readonly FieldNode[], path: readonly string[]): readonly FieldNode[] {
  let level = fieldNodes;
  for (const name of path) level = fieldsNamed(info, level.map((f) => f.selectionSet), name);
  return level;
}

/**
 * Whether the field being resolved (or `fieldNodes`, fields beneath it) selects the path of
 * fields beneath it (`["nodes", "forks"]`), fragments included (directives are not
 * evaluated: a skipped field counts as selected).
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[], fieldNodes: readonly FieldNode[] = info.fieldNodes): boolean {
  const key = path.join(".");
  let known = answers.get(fieldNodes);
  if (!known) answers.set(fieldNodes, (known = new Map()));
  let answer = known.get(key);
  if (answer === undefined) known.set(key, (answer = fieldsAt(info, fieldNodes, path).length > 0));
  return answer;
}

/** The fields named `name` directly beneath the field being resolved (or `fieldNodes`), fragments included. */
export function childFields(info: GraphQLResolveInfo, name: string, fieldNodes: readonly FieldNode[] = info.fieldNodes): readonly FieldNode[] {
  return fieldsAt(info, fieldNodes, [name]);
}

/** A connection's nodes' fields named `name`, as `nodes { name }` or `edges { node { name } }`. */
export function nodeFields(info: GraphQLResolveInfo, name: string, fieldNodes: readonly FieldNode[] = info.fieldNodes): FieldNode[] {
  return [...fieldsAt(info, fieldNodes, ["nodes", name]), ...fieldsAt(info, fieldNodes, ["edges", "node", name])];
}

/**
 * Fields that a resolver can read ahead for: one response key (no aliases of the same
 * field with other arguments) and no directives (which could skip them).
 */
export function oneResponseKey(fields: readonly FieldNode[]): boolean {
  const key = (f: FieldNode) => f.alias?.value ?? f.name.value;
  return fields.length > 0 && fields.every((f) => key(f) === key(fields[0]!) && !f.directives?.length);
}

/** Whether the field being resolved (or `fieldNodes`) selects `name` directly beneath it (see selectsPath). */
export function selectsField(info: GraphQLResolveInfo, name: string, fieldNodes?: readonly FieldNode[]): boolean {
  return selectsPath(info, [name], fieldNodes);
}

/** Whether a connection's nodes select `name`, as `nodes { name }` or `edges { node { name } }`. */
export function selectsNodeField(info: GraphQLResolveInfo, name: string, fieldNodes?: readonly FieldNode[]): boolean {
  return selectsPath(info, ["nodes", name], fieldNodes) || selectsPath(info, ["edges", "node", name], fieldNodes);
}

/** Whether a connection's page is read: its edges, nodes or page info (else at most its count). */
export function selectsPage(info: GraphQLResolveInfo, fieldNodes?: readonly FieldNode[]): boolean {
  return selectsField(info, "edges", fieldNodes) || selectsField(info, "nodes", fieldNodes) || selectsField(info, "pageInfo", fieldNodes);
}
