import type { Database } from './database';

/**
 * Stores a live pathway call's logs, unless the call already holds as many or more. A pathway's logs
 * only grow, so the longer snapshot is the newer one: turn records that land out of order (one
 * retried behind the next) never put an older snapshot over a newer one. The caller has checked
 * that the call belongs to the organisation.
 */
export async function keepPathwayLogs(db: Database, callId: string, logs: readonly unknown[]): Promise<void> {
  if (logs.length === 0) return;
  await db.collections.calls.updateOne({ _id: callId, [`pathway_logs.${logs.length - 1}`]: { $exists: false } }, { $set: { pathway_logs: [...logs] } });
}
