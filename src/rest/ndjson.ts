// NDJSON as Pluto's SDK writes it: one JSON object per line, where Python may write bare
// NaN, Infinity and -Infinity as numbers. Those are read as numbers; everything else is
// strict JSON.

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };
const MARK = "\u0000nonfinite:";

// A string literal (kept as is) or a bare non-finite token (marked).
const TOKENS = /"(?:[^"\\]|\\.)*"|-Infinity|Infinity|NaN/g;
const revive = (_key: string, value: unknown) => (typeof value === "string" && value.startsWith(MARK) ? NON_FINITE[value.slice(MARK.length)] : value);

/** Strict JSON first (the common line); bare NaN/±Infinity outside strings are read as numbers. */
function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    if (!/NaN|Infinity/.test(line)) throw e;
  }
  const marked = line.replace(TOKENS, (m) => (m.startsWith('"') ? m : JSON.stringify(MARK + m)));
  return JSON.parse(marked, revive);
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
