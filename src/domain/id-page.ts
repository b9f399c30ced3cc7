/** A page of rows by id, as Prisma's cursor pagination reads one; a loader reads it for many parents at once. */
export interface IdPage {
  /** Rows after the cursor, ascending, or before it, descending. */
  forward: boolean;
  /** The id the page starts from, excluded; null from the start (or the end). */
  cursor: bigint | null;
  /** Rows to read: the page's size plus one, which tells whether another page exists. */
  limit: number;
}

/** The largest int8: ids, and the cursors that name them, lie within ±INT8_MAX. */
export const INT8_MAX = 2n ** 63n - 1n;
// The bounds of an int8 id: a page from the start or the end has nothing to pass.
const BEFORE_ALL = -INT8_MAX - 1n;
const AFTER_ALL = INT8_MAX;

/** The id a page starts from, as an int8's text: one beyond either end when it has no cursor. */
export const cursorOf = (page: IdPage) => (page.cursor ?? (page.forward ? BEFORE_ALL : AFTER_ALL)).toString();
