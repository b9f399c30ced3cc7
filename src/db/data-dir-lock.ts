import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

// PGlite has no lock of its own: two processes on one directory corrupt it. A lock file
// holding our pid turns that into a clear error; a lock left by a dead process is taken over.

export class DataDirInUseError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "gateway.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new DataDirInUseError(
          `DATA_DIR ${dir} is in use by another gateway process (pid ${holder}). ` +
            `Stop it, or give this one another DATA_DIR, or use DATABASE_URL for several processes.`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirInUseError(`DATA_DIR ${dir}: could not take the lock file ${path}`);
}
