import { getConnectionPageSize, PothosValidationError, validateConnectionArguments } from "@pothos/core";
import { formatPrismaCursor, parsePrismaCursor } from "@pothos/plugin-prisma";
import { LIMITS } from "../domain/limits.js";
import { INT8_MAX, type IdPage } from "../domain/id-page.js";

// Connections read by a request loader (a whole list's pages in one statement) rather than by
// Pothos's Prisma connections, paged exactly as those page: same arguments, errors, cursors
// (Prisma cursors of the row's id) and page info, so a client cannot tell them apart.

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  before?: string | null;
  after?: string | null;
}

/** The id a cursor stands for. */
function idOf(cursor: string): bigint {
  const value = parsePrismaCursor(cursor);
  if ((typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint" || (typeof value === "string" && /^-?\d{1,19}$/.test(value))) {
    const id = BigInt(value);
    if (id <= INT8_MAX && id >= -INT8_MAX) return id;
  }
  throw new PothosValidationError(`Invalid cursor: ${cursor}`);
}

/** The page the arguments ask for; throws Pothos's own errors for the combinations it refuses. */
export function idPageOf(args: ConnectionArgs): IdPage {
  validateConnectionArguments(args);
  if (args.before != null && args.after != null) throw new PothosValidationError('Arguments "before" and "after" are not supported at the same time');
  if (args.before != null && args.first != null) throw new PothosValidationError('Arguments "before" and "first" are not supported at the same time');
  if (args.after != null && args.last != null) throw new PothosValidationError('Arguments "after" and "last" are not supported at the same time');
  const { limit } = getConnectionPageSize({ args, defaultSize: LIMITS.defaultPageSize, maxSize: LIMITS.pageSize });
  const from = args.before ?? args.after;
  return { forward: args.before == null && args.last == null, cursor: from == null ? null : idOf(from), limit };
}

// A cursor is made when the selection reads it: the frontend's run list asks for nodes only,
// and encoding a cursor for each of its 250 events was 3% of the gateway's instructions on
// that page (callgrind, bench/README.md).
class Edge<T extends { id: number | bigint }> {
  constructor(readonly node: T) {}
  get cursor(): string {
    return formatPrismaCursor(this.node, "id");
  }
}

/** The connection of a page's rows, in the list's order whichever way the page read. */
export function connectionOf<T extends { id: number | bigint }>(rows: readonly T[], args: ConnectionArgs, page: IdPage, totalCount?: number) {
  // One row beyond the page says another page exists: the last one when reading forward, the
  // first one when reading back.
  const full = rows.length === page.limit;
  const nodes = full ? (page.forward ? rows.slice(0, -1) : rows.slice(1)) : rows;
  const edges = nodes.map((node) => new Edge(node));
  return {
    edges,
    pageInfo: {
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
      hasNextPage: args.before != null ? true : args.last != null ? false : full,
      hasPreviousPage: args.after != null ? true : !page.forward && full,
    },
    totalCount,
  };
}
