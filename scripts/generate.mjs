// Runs `prisma generate` (client + Pothos types). The Prisma CLI insists on a native
// schema-engine binary before generating, even though generate never runs it; where the
// binary could not be downloaded (offline machines), point it at any existing file.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

import { delimiter, resolve } from "node:path";

// The Pothos generator is a bin of @pothos/plugin-prisma; npm puts node_modules/.bin on
// PATH for scripts, but this file may also be run with plain `node`.
const PATH = [resolve("node_modules/.bin"), process.env.PATH].join(delimiter);
const env = { ...process.env, PATH, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const enginesDir = "node_modules/@prisma/engines";
const hasEngine = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !hasEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
