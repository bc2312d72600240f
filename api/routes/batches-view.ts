import { analyseBatchCalls } from '../../src/batches/analysis';
import type { BatchDoc } from '../../src/batches/types';
import type { CallDoc, TranscriptDoc } from '../../src/db/types';
import { callSummary } from '../../src/presenters/call';

/** Shapes of GET /v1/batches and GET /v1/batches/{id} (seed 003 lines 7445-7750). */

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function batchListItem(b: BatchDoc) {
  return {
    batch_id: b.batch_id,
    campaign_id: b.campaign_id,
    created_at: iso(b.created_at),
    label: b.label,
    base_prompt: b.base_prompt,
    endpoint_code: b.endpoint_code,
    call_params: b.call_params,
    status: b.status,
    total_calls: b.dial_rows,
    replay_of: b.replay_of,
  };
}

export function batchParams(b: BatchDoc) {
  return {
    id: b.batch_id,
    campaign_id: b.campaign_id,
    created_at: iso(b.created_at),
    label: b.label,
    base_prompt: b.base_prompt,
    endpoint_code: b.endpoint_code,
    call_params: b.call_params,
    // Beyond the seed: how the batch runs and where it came from.
    test_mode: b.test_mode,
    max_concurrency: b.max_concurrency,
    start_time: b.start_time,
    total_rows: b.total_rows,
    stopped: b.stopped,
    completed_at: iso(b.completed_at),
    replay_of: b.replay_of,
    replay_statuses: b.replay_statuses,
    skipped_rows: b.skipped_rows,
    batch_webhook_error: b.batch_webhook_error ?? null,
  };
}

export interface DetailOptions {
  includeCalls: boolean;
  includeTranscripts: boolean;
  includeAnalysis: boolean;
}

export function batchDetail(b: BatchDoc, calls: CallDoc[], transcripts: Map<string, TranscriptDoc[]>, opts: DetailOptions) {
  // Rows the window has not reached yet have no call document; they are still queued.
  const undialled = b.status === 'in-progress' ? Math.max(0, b.dial_rows - calls.length) : 0;
  return {
    status: b.status,
    batch_params: batchParams(b),
    call_data: opts.includeCalls
      ? calls.map((c) => ({
          ...callSummary(c),
          corrected_duration: c.corrected_duration,
          endpoint_url: c.endpoint_url,
          max_duration: c.max_duration,
          request_data: c.request_data,
          ...(opts.includeTranscripts
            ? { transcripts: (transcripts.get(c.call_id) ?? []).map((t) => ({ id: t._id, created_at: iso(t.created_at), text: t.text, user: t.user, c_id: t.call_id })) }
            : {}),
          ...(opts.includeAnalysis ? { analysis: c.analysis, summary: c.summary } : {}),
        }))
      : [],
    analysis: analyseBatchCalls(calls, undialled),
  };
}
