// Preloaded (`--import`) into each server bench/index.ts measures: counts the statements the
// server sends through node-postgres (each Client.query is one simple query or one
// extended-protocol execution, whoever calls it: Prisma's adapter, pg-pool, PostGraphile)
// and answers the count when its parent asks over IPC. Counting inside the server leaves
// nothing between it and PostgreSQL: a counting proxy added a hop to every round trip, and
// its own share of this 2-core machine, to the figures it was meant to explain.
import pg from "pg";

let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return query.apply(this, args);
};
process.on("message", (m) => {
  if (m === "statements") process.send?.({ statements });
});
