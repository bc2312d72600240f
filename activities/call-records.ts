import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { callVariables } from '../src/calls/system-variables';
import { callBelongsTo, findOwnedCall, insertOnce, type NewCallEvent } from '../src/db/call-events';
import { asFinalLine, finalTranscriptLines, keepFinalTranscript } from '../src/db/final-transcript';
import { keepPathwayLogs } from '../src/db/pathway-logs';
import type { CallDoc } from '../src/db/types';
import { callStateQuery, type TranscriptLine } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface CallRef {
  orgId: string;
  callId: string;
}

export interface UpdateCallInput extends CallRef {
  set: Partial<Omit<CallDoc, '_id' | 'org_id' | 'call_id'>> & Record<string, unknown>;
  events: NewCallEvent[];
  /**
   * Names the events by this key, not by the activity that writes them: a write that may be made
   * by two activities (a local attempt that timed out but still lands, and its fallback) then
   * stores its events once. Unique within the run.
   */
  eventKey?: string;
}

export interface ResolveVariablesInput extends CallRef {
  to: string;
  from: string;
  timezone: string;
  requestData: Record<string, unknown>;
  /** An incoming call: `{{phone_number}}` is the caller. Absent = outbound. */
  inbound?: boolean;
}

export interface RecordTurnInput extends CallRef {
  lines: TranscriptLine[];
  events: NewCallEvent[];
  /** A pathway call's logs so far (runs with `pathwayLogsWithRecords`); never older than those stored. */
  pathwayLogs?: unknown[];
}

export interface FinalizeCallInput extends CallRef {
  set: UpdateCallInput['set'];
  events: NewCallEvent[];
  /**
   * The whole transcript, from a final record run in the workflow's own worker (a local activity
   * cannot query the workflow it runs in); its lines from `firstUnrecorded` on are written too.
   * Absent: the transcript is the workflow's state query's, or else the stored lines.
   */
  transcript?: { lines: TranscriptLine[]; firstUnrecorded: number };
}

/**
 * Read-model writes. Each is idempotent under activity retry: updates are `$set`s, transcript
 * lines and events have IDs derived from the call and the activity, never random ones. They are
 * shaped for FerretDB (see src/db/call-events.ts): inserts, and call updates by bare `_id` once the
 * call is known to belong to the organisation.
 */
export function createCallRecordActivities({ db, pricing }: Pick<ActivityDeps, 'db' | 'pricing'>) {
  async function writeEvents(ref: CallRef, events: NewCallEvent[], eventKey?: string): Promise<void> {
    if (events.length === 0) return;
    const { activityId, workflowExecution } = Context.current().info;
    const runId = workflowExecution?.runId ?? 'standalone';
    const base = Date.now();
    await insertOnce(
      db.collections.callEvents,
      events.map(({ at, ...e }, i) => ({
        _id: `${ref.callId}:${runId}:${eventKey ?? activityId}:${i}`, org_id: ref.orgId, call_id: ref.callId, ...e,
        // A batched event keeps the time it happened; the index keeps the order of those written together.
        timestamp: new Date((at ? Date.parse(at) : base) + i),
      })),
    );
  }

  /** Transcript lines by their fixed IDs: a retry's duplicates are ignored. */
  async function writeLines({ orgId, callId }: CallRef, lines: TranscriptLine[]): Promise<void> {
    if (lines.length === 0) return;
    await insertOnce(
      db.collections.transcripts,
      lines.map((l) => ({ _id: `${callId}:${l.seq}`, org_id: orgId, call_id: callId, seq: l.seq, text: l.text, user: l.user, created_at: new Date(l.at) })),
    );
  }

  /**
   * The workflow's own transcript, through its state query: it is the truth, it is complete by
   * the time finalizeCall runs, and it costs no collection scan. Null when the query cannot be
   * answered (then the stored lines are read).
   */
  async function liveTranscript(): Promise<TranscriptLine[] | null> {
    const ctx = Context.current();
    const wf = ctx.info.workflowExecution;
    if (!wf) return null;
    try {
      // Bounded well inside the activity's 10 s, so a slow answer falls back to the stored lines instead of timing out.
      const handle = ctx.client.workflow.getHandle(wf.workflowId, wf.runId);
      const state = await ctx.client.withAbortSignal(AbortSignal.timeout(3_000), () => handle.query(callStateQuery));
      return Array.isArray(state.transcript) ? [...state.transcript].sort((a, b) => a.seq - b.seq) : null;
    } catch {
      return null;
    }
  }

  function storedTranscript(orgId: string, callId: string) {
    return db.collections.transcripts.find({ org_id: orgId, call_id: callId }).sort({ seq: 1 }).toArray();
  }

  async function requireOwned({ orgId, callId }: CallRef): Promise<void> {
    if (!(await callBelongsTo(db, orgId, callId))) {
      throw ApplicationFailure.nonRetryable(`call ${callId} has no record`, 'CallRecordMissing');
    }
  }

  async function updateCall({ orgId, callId, set, events, eventKey }: UpdateCallInput): Promise<void> {
    // An event-only write still proves the call exists, so a stray call ID fails loudly.
    await requireOwned({ orgId, callId });
    if (Object.keys(set).length > 0) await db.collections.calls.updateOne({ _id: callId }, { $set: set });
    await writeEvents({ orgId, callId }, events, eventKey);
  }

  return {
    updateCall,

    async resolveVariables(input: ResolveVariablesInput): Promise<Record<string, unknown>> {
      const variables = callVariables({ ...input, now: new Date() });
      await updateCall({
        orgId: input.orgId,
        callId: input.callId,
        set: { variables },
        events: [{ level: 'call', category: 'info', message: 'Variables resolved' }],
      });
      return variables;
    },

    async recordTurn({ orgId, callId, lines, events, pathwayLogs }: RecordTurnInput): Promise<void> {
      if (lines.length > 0 || pathwayLogs?.length) await requireOwned({ orgId, callId });
      await writeLines({ orgId, callId }, lines);
      if (pathwayLogs) await keepPathwayLogs(db, callId, pathwayLogs);
      await writeEvents({ orgId, callId }, events);
    },

    async finalizeCall({ orgId, callId, set, events, transcript }: FinalizeCallInput): Promise<void> {
      const call = await findOwnedCall(db, orgId, callId);
      if (!call) throw ApplicationFailure.nonRetryable(`call ${callId} has no record`, 'CallRecordMissing');
      if (transcript) await writeLines({ orgId, callId }, transcript.lines.slice(transcript.firstUnrecorded));
      const truth = transcript?.lines ?? (await liveTranscript());
      const lines = truth ? finalTranscriptLines(callId, truth) : (await storedTranscript(orgId, callId)).map(asFinalLine);
      // The whole transcript in one document too, before the call reads as finished: its reads need no line documents.
      await keepFinalTranscript(db, orgId, callId, lines);
      const concatenated = lines.map((l) => `${l.user}: ${l.text}`).join(' \n ');
      const minutes = typeof set.call_length === 'number' ? set.call_length : 0;
      const price = Math.round(minutes * pricing.perMinuteUsd * 10_000) / 10_000;
      await updateCall({ orgId, callId, set: { ...set, price, concatenated_transcript: concatenated }, events });
    },
  };
}
