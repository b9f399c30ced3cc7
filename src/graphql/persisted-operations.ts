import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parse } from "graphql";

// PERSISTED_OPERATIONS_FILE: a JSON object mapping each operation's SHA-256 (hex, of the
// document text, as Apollo's and GraphQL Codegen's clients compute it) to its document.
// Read once at start; a file that is unreadable, not such a map, or whose keys do not
// match their documents stops the start with a message saying which.

export async function readPersistedOperations(path: string): Promise<Map<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new Error(`PERSISTED_OPERATIONS_FILE ${path}: cannot read it as JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`PERSISTED_OPERATIONS_FILE ${path}: expected an object of hash → document`);
  const out = new Map<string, string>();
  for (const [hash, document] of Object.entries(json)) {
    if (typeof document !== "string") throw new Error(`PERSISTED_OPERATIONS_FILE ${path}: ${hash} is not a document string`);
    if (createHash("sha256").update(document).digest("hex") !== hash) throw new Error(`PERSISTED_OPERATIONS_FILE ${path}: ${hash} is not the SHA-256 of its document`);
    try {
      parse(document);
    } catch (e) {
      throw new Error(`PERSISTED_OPERATIONS_FILE ${path}: ${hash} does not parse (${(e as Error).message})`);
    }
    out.set(hash, document);
  }
  return out;
}
