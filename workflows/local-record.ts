import { log } from '@temporalio/workflow';
import type { UpdateCallInput } from '../activities/call-records';
import { localRecordBesideTurn, records } from './activity-proxies';

/**
 * A record written in this worker, beside the model turn of the same workflow task (a phone call's
 * answered record, a web session's started record; see `localRecordBesideTurn`): one attempt of at most
 * 2 s. If it fails, the record is written behind as an activity of its own, retried until the store
 * answers; the failure is logged, and the fallback's own failure is kept by the conversation.
 */
export async function recordLocally(update: UpdateCallInput): Promise<void> {
  try {
    await localRecordBesideTurn.updateCall(update);
  } catch (err) {
    log.warn('Record not written in the workflow task; writing it as an activity', { callId: update.callId, error: err instanceof Error ? err.message : String(err) });
    await records.updateCall(update);
  }
}
