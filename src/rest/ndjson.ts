// NDJSON as Pluto's SDK writes it: one JSON object per line, where Python may write bare
// NaN, Infinity and -Infinity as numbers. Those are read as numbers; everything else is
// strict JSON.

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };
const MARK = "\u0000nonfinite:";

/** Replaces the bare tokens outside strings with marked strings, then parses. */
function parseLine(line: string): unknown {
  let out = "";
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") out += line[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const token = ["-Infinity", "Infinity", "NaN"].find((t) => line.startsWith(t, i));
    if (token) {
      out += JSON.stringify(MARK + token);
      i += token.length - 1;
      continue;
    }
    out += ch;
  }
  return JSON.parse(out, (_key, value) => (typeof value === "string" && value.startsWith(MARK) ? NON_FINITE[value.slice(MARK.length)] : value));
}

export class NdjsonError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** The objects of a body, each checked by `read`; the first bad line fails the whole body. */
export function parseNdjson<T>(body: string, read: (value: unknown, line: number) => T): T[] {
  const out: T[] = [];
  const lines = body.split("\n");
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === "") return;
    let value: unknown;
    try {
      value = parseLine(text);
    } catch {
      throw new NdjsonError(i + 1, "not valid JSON");
    }
    out.push(read(value, i + 1));
  });
  return out;
}
