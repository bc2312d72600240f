import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { systemVariables } from '../src/calls/system-variables';
import type { NewCallEvent } from '../src/db/call-events';
import type { CallDoc } from '../src/db/types';
import type { TranscriptLine } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface CallRef {
  orgId: string;
  callId: string;
}

export interface UpdateCallInput extends CallRef {
  set: Partial<Omit<CallDoc, '_id' | 'org_id' | 'call_id'>> & Record<string, unknown>;
  events: NewCallEvent[];
}

export interface ResolveVariablesInput extends CallRef {
  to: string;
  from: string;
  timezone: string;
  requestData: Record<string, unknown>;
}

export interface RecordTurnInput extends CallRef {
  lines: TranscriptLine[];
  events: NewCallEvent[];
}

export interface FinalizeCallInput extends CallRef {
  set: UpdateCallInput['set'];
  events: NewCallEvent[];
}

/**
 * Read-model writes. Each is idempotent under activity retry: updates are `$set`s, transcript
 * lines and events have IDs derived from the call and the activity, never random ones.
 */
export function createCallRecordActivities({ db, pricing }: Pick<ActivityDeps, 'db' | 'pricing'>) {
  async function writeEvents(ref: CallRef, events: NewCallEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { activityId, workflowExecution } = Context.current().info;
    const runId = workflowExecution?.runId ?? 'standalone';
    const base = Date.now();
    await db.collections.callEvents.bulkWrite(
      events.map((e, i) => {
        const _id = `${ref.callId}:${runId}:${activityId}:${i}`;
        const doc = { _id, org_id: ref.orgId, call_id: ref.callId, ...e, timestamp: new Date(base + i) };
        return { updateOne: { filter: { _id, org_id: ref.orgId }, update: { $setOnInsert: doc }, upsert: true } };
      }),
    );
  }

  async function updateCall({ orgId, callId, set, events }: UpdateCallInput): Promise<void> {
    // An event-only write still proves the call exists, so a stray call ID fails loudly.
    const result =
      Object.keys(set).length > 0
        ? await db.collections.calls.updateOne({ _id: callId, org_id: orgId }, { $set: set })
        : { matchedCount: await db.collections.calls.countDocuments({ _id: callId, org_id: orgId }, { limit: 1 }) };
    if (result.matchedCount === 0) {
      throw ApplicationFailure.nonRetryable(`call ${callId} has no record`, 'CallRecordMissing');
    }
    await writeEvents({ orgId, callId }, events);
  }

  return {
    updateCall,

    async resolveVariables(input: ResolveVariablesInput): Promise<Record<string, unknown>> {
      const system = systemVariables({ ...input, now: new Date() });
      // request_data may not shadow the system variables, which describe the call itself.
      const variables = { ...input.requestData, ...system };
      await updateCall({
        orgId: input.orgId,
        callId: input.callId,
        set: { variables },
        events: [{ level: 'call', category: 'info', message: 'Variables resolved' }],
      });
      return variables;
    },

    async recordTurn({ orgId, callId, lines, events }: RecordTurnInput): Promise<void> {
      if (lines.length > 0) {
        await db.collections.transcripts.bulkWrite(
          lines.map((l) => {
            const _id = `${callId}:${l.seq}`;
            const doc = { _id, org_id: orgId, call_id: callId, seq: l.seq, text: l.text, user: l.user, created_at: new Date(l.at) };
            return { updateOne: { filter: { _id, org_id: orgId }, update: { $setOnInsert: doc }, upsert: true } };
          }),
        );
      }
      await writeEvents({ orgId, callId }, events);
    },

    async finalizeCall({ orgId, callId, set, events }: FinalizeCallInput): Promise<void> {
      const call = await db.collections.calls.findOne({ _id: callId, org_id: orgId });
      if (!call) throw ApplicationFailure.nonRetryable(`call ${callId} has no record`, 'CallRecordMissing');
      const lines = await db.collections.transcripts.find({ org_id: orgId, call_id: callId }).sort({ seq: 1 }).toArray();
      const concatenated = lines.map((l) => `${l.user}: ${l.text}`).join(' \n ');
      const minutes = typeof set.call_length === 'number' ? set.call_length : 0;
      const price = Math.round(minutes * pricing.perMinuteUsd * 10_000) / 10_000;
      await updateCall({ orgId, callId, set: { ...set, price, concatenated_transcript: concatenated }, events });
    },
  };
}
