// Time from process spawn to the first answered GraphQL request, for the gateway on a new
// PGlite directory (initdb + migrations + bootstrap), on an existing one (restart), and for
// a bare node:http server as the floor. Run: npx tsx bench/startup.ts [runs]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./lib.js";

const runs = Number(process.argv[2] ?? 3);
const PORT = 4561;

async function timeToFirstAnswer(args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(PORT) }, stdio: "ignore" });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${PORT}/graphql?query=%7B__typename%7D`, { headers: { "x-graphql-yoga-csrf": "1" } });
        if (res.ok) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 60_000) throw new Error("no answer within 60 s");
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }
}

const bare = ["-e", `require("node:http").createServer((q, s) => s.end("{}")).listen(${PORT})`];
const gateway = ["--import", "tsx", "src/main.ts"];

const rows: [string, number[]][] = [["bare node:http (floor)", []], ["gateway, new DATA_DIR", []], ["gateway, restart", []]];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "bench-start-"));
  rows[0]![1].push(await timeToFirstAnswer(bare, {}));
  rows[1]![1].push(await timeToFirstAnswer(gateway, { DATA_DIR: dir, DATABASE_URL: "", LOG_LEVEL: "silent" }));
  rows[2]![1].push(await timeToFirstAnswer(gateway, { DATA_DIR: dir, DATABASE_URL: "", LOG_LEVEL: "silent" }));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`time to first answered request, median of ${runs} (ms)`);
for (const [name, xs] of rows) console.log(`  ${name.padEnd(26)} ${median(xs).toFixed(0).padStart(6)}   [${xs.map((x) => x.toFixed(0)).join(", ")}]`);
