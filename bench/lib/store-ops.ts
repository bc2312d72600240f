import type { MongoClient } from 'mongodb';

type OpCounters = Record<'insert' | 'query' | 'update' | 'delete' | 'getmore' | 'command', number>;

/** The store server's operation counters (serverStatus.opcounters), or null where it does not keep them. */
export async function storeOps(client: MongoClient): Promise<OpCounters | null> {
  const status = await client.db('admin').command({ serverStatus: 1 }).catch(() => null);
  return (status?.opcounters as OpCounters | undefined) ?? null;
}

/** Operations between two readings, per unit (a call), by kind: every client's, the bench's own polling included. */
export function formatStoreOps(before: OpCounters | null, after: OpCounters | null, units: number): string {
  if (!before || !after || units <= 0) return 'store operations per call: not reported by this store';
  const kinds = Object.keys(before) as (keyof OpCounters)[];
  const per = kinds.map((k) => `${k} ${((Number(after[k]) - Number(before[k])) / units).toFixed(1)}`);
  const total = kinds.reduce((sum, k) => sum + Number(after[k]) - Number(before[k]), 0) / units;
  return `store operations per call (all clients, serverStatus): ${total.toFixed(1)} (${per.join(', ')})`;
}
