// Work under way in this process, by key, per database handle (a WeakMap: handles of
// closed databases take their entries with them). Used so that requests racing for the
// same row wait for the one that writes it instead of queueing on the database's locks.

const byScope = new WeakMap<object, Map<string, Promise<unknown>>>();

function table(scope: object): Map<string, Promise<unknown>> {
  let t = byScope.get(scope);
  if (!t) byScope.set(scope, (t = new Map()));
  return t;
}

/**
 * The key's work under way, or `work` started as the key's until it settles: `started`
 * says which. Looking and starting are one synchronous step, so that requests arriving
 * together cannot all find nothing and all start.
 */
export function joinOrStart<T>(scope: object, key: string, work: () => Promise<T>): { started: boolean; done: Promise<unknown> } {
  const t = table(scope);
  const ahead = t.get(key);
  if (ahead) return { started: false, done: ahead };
  const mine = work();
  t.set(key, mine);
  const clear = () => {
    if (t.get(key) === mine) t.delete(key);
  };
  mine.then(clear, clear);
  return { started: true, done: mine };
}
