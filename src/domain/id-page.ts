/** A page of rows by id, as Prisma's cursor pagination reads one; a loader reads it for many parents at once. */
export interface IdPage {
  /** Rows after the cursor, ascending, or before it, descending. */
  forward: boolean;
  /** The id the page starts from, excluded; null from the start (or the end). */
  cursor: bigint | null;
  /** Rows to read: the page's size plus one, which tells whether another page exists. */
  limit: number;
}
