import { describe, expect, it } from "vitest";
import { pendingMigrationSql } from "../src/db/schema-engine.js";

describe("prisma/migrations", () => {
  it("produce exactly prisma/schema.prisma (after editing the schema, run `npm run db:new-migration NAME`)", async () => {
    expect(await pendingMigrationSql()).toBe("");
  });
});
