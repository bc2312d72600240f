import type { Database } from '../../src/db/database';

/**
 * The database, with the named methods of its `calls` collection going first through `before`,
 * which may throw (a refused write) or wait (a slow one). Every other method is the collection's own.
 */
export function interceptCalls(db: Database, methods: readonly string[], before: (method: string, args: unknown[]) => void | Promise<void>): Database {
  const calls = new Proxy(db.collections.calls, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const own = (value as (...a: unknown[]) => unknown).bind(target);
      if (!methods.includes(String(prop))) return own;
      return async (...args: unknown[]) => {
        await before(String(prop), args);
        return own(...args);
      };
    },
  });
  return { ...db, collections: { ...db.collections, calls } } as Database;
}
