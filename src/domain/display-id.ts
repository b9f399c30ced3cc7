export function formatDisplayId(prefix: string, number: number | null): string | null {
  return number == null ? null : `${prefix}-${number}`;
}

/** "MMP-7" → { prefix: "MMP", number: 7 }; null when it is not of that shape. */
export function parseDisplayId(displayId: string): { prefix: string; number: number } | null {
  const m = /^(.+)-(\d{1,9})$/.exec(displayId.trim());
  if (!m) return null;
  return { prefix: m[1]!.toUpperCase(), number: Number(m[2]) };
}
