// Work under way in this process, by key, per database handle (a WeakMap: handles of
// closed databases take their entries with them). Used so that requests racing for the
// same row wait for the one that writes it instead of queueing on the database's locks.

const byScope = new WeakMap<object, Map<string, Promise<unknown>>>();

function table(scope: object): Map<string, Promise<unknown>> {
  let t = byScope.get(scope);
  if (!t) byScope.set(scope, (t = new Map()));
  return t;
}

/** Runs `work` as the key's work under way until it settles. */
export async function underWay<T>(scope: object, key: string, work: () => Promise<T>): Promise<T> {
  const t = table(scope);
  const mine = work();
  t.set(key, mine);
  try {
    return await mine;
  } finally {
    if (t.get(key) === mine) t.delete(key);
  }
}

/** Waits for the key's work under way, if any, whatever its outcome; true if there was some. */
export async function settled(scope: object, key: string): Promise<boolean> {
  const ahead = byScope.get(scope)?.get(key);
  if (!ahead) return false;
  await ahead.catch(() => {});
  return true;
}
