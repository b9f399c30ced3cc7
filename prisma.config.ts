import { defineConfig } from "prisma/config";

// Only `prisma generate` uses this file: migrations are applied by our own runner
// (src/db/migrate.ts) through Prisma's WASM schema engine, on PGlite or PostgreSQL.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
