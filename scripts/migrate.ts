// npm run db:migrate — applies prisma/migrations to DATABASE_URL, or to the PGlite in DATA_DIR.
import { loadSettings } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";

const settings = loadSettings();
const db = await openDatabase(settings);
try {
  const applied = await migrate(db, settings.databaseUrl);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : `${db.location}: already up to date`);
} finally {
  await db.close();
}
