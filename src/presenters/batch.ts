import { z } from 'zod';
import { analyseBatchCalls, type BatchCallFields } from '../batches/analysis';
import type { BatchDoc } from '../batches/types';
import type { CallDoc, TranscriptDoc } from '../db/types';
import { CallSummarySchema, callSummary, TranscriptLineSchema } from './call';

/** Shapes of GET /v1/batches and GET /v1/batches/{batch_id} (seed 003 lines 7445-7750). */

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const isoString = z.string().meta({ format: 'date-time' });
const json = z.record(z.string(), z.unknown());

/**
 * The seed shows these five in every batch's `call_params`; each is given its value in force when
 * the request did not set it. `reduce_latency` and `voice_id` have no setting here (replies are always
 * as fast as the stack allows; voices are chosen by `voice`), so they show Bland's defaults.
 */
export const CallParamsSchema = z
  .looseObject({
    reduce_latency: z.unknown().describe('true unless the request set it'),
    voice_id: z.unknown().describe("Bland's numeric voice: 0 (the default voice) unless the request set it; voices are chosen by `voice`"),
    language: z.string(),
    max_duration: z.union([z.number(), z.string()]).describe('Minutes; the deployment default (CALL_MAX_DURATION_MINUTES) unless the request set it'),
    wait_for_greeting: z.boolean(),
  })
  .describe("The Send Call parameters the batch applies to every call, as sent, plus the seed's five at their values in force");

/** The batch's Send Call parameters as sent, with the seed's five shown at the values in force (null = not set). Never stored. */
export function batchCallParams(b: Pick<BatchDoc, 'call_params' | 'call_defaults'>): z.input<typeof CallParamsSchema> {
  const inForce: Record<string, unknown> = {
    reduce_latency: true,
    voice_id: 0,
    language: 'en-US',
    max_duration: b.call_defaults?.maxDurationMinutes ?? 30,
    wait_for_greeting: false,
  };
  const shown: Record<string, unknown> = { ...inForce, ...b.call_params };
  for (const [key, value] of Object.entries(inForce)) shown[key] ??= value;
  return shown as z.input<typeof CallParamsSchema>;
}

const skippedRow = z.object({ index: z.number(), reason: z.string() });

/** One batch of GET /v1/batches. */
export const BatchListItemSchema = z.object({
  batch_id: z.string(),
  campaign_id: z.string().nullable(),
  created_at: isoString.nullable(),
  label: z.string().nullable(),
  base_prompt: z.string().describe('Placeholders kept'),
  endpoint_code: z.string(),
  call_params: CallParamsSchema,
  status: z.enum(['in-progress', 'completed']),
  total_calls: z.number().describe('Rows dialled (1 in test_mode)'),
  replay_of: z.string().nullable(),
});

export function batchListItem(b: BatchDoc): z.input<typeof BatchListItemSchema> {
  return {
    batch_id: b.batch_id,
    campaign_id: b.campaign_id,
    created_at: iso(b.created_at),
    label: b.label,
    base_prompt: b.base_prompt,
    endpoint_code: b.endpoint_code,
    call_params: batchCallParams(b),
    status: b.status,
    total_calls: b.dial_rows,
    replay_of: b.replay_of,
  };
}

export const BatchParamsSchema = z.object({
  id: z.string(),
  campaign_id: z.string().nullable(),
  created_at: isoString.nullable(),
  label: z.string().nullable(),
  base_prompt: z.string(),
  endpoint_code: z.string(),
  call_params: CallParamsSchema,
  test_mode: z.boolean(),
  max_concurrency: z.number(),
  start_time: z.string().nullable(),
  total_rows: z.number(),
  stopped: z.boolean(),
  completed_at: isoString.nullable(),
  replay_of: z.string().nullable(),
  replay_statuses: z.array(z.string()).nullable(),
  skipped_rows: z.array(skippedRow),
  batch_webhook_error: z.string().nullable(),
});

export function batchParams(b: BatchDoc): z.input<typeof BatchParamsSchema> {
  return {
    id: b.batch_id,
    campaign_id: b.campaign_id,
    created_at: iso(b.created_at),
    label: b.label,
    base_prompt: b.base_prompt,
    endpoint_code: b.endpoint_code,
    call_params: batchCallParams(b),
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

export const BatchAnalysisSchema = z.object({
  total_calls: z.number(),
  completed_calls: z.number(),
  in_progress_calls: z.number(),
  queue_statuses: z.record(z.string(), z.number()),
  call_lengths: z.object({
    average: z.number().describe('Minutes'),
    average_nonzero: z.number().describe('Minutes, calls of at least one second'),
    summary: z.record(z.string(), z.number()).describe('Calls per length range, in seconds (0-5 … 120+)'),
    all: z.array(z.number()).describe('Minutes'),
  }),
  call_ids: z.array(z.string()),
  error_messages: z.array(z.object({ call_id: z.string(), error_message: z.string() })),
  endpoints: z.record(z.string(), z.number()),
});

export const BatchCallSchema = CallSummarySchema.extend({
  corrected_duration: z.string().nullable(),
  endpoint_url: z.string(),
  max_duration: z.number(),
  request_data: json,
  transcripts: z.array(TranscriptLineSchema).optional().describe('Unless include_transcripts=false'),
  analysis: json.nullable().optional().describe('Unless include_analysis=false'),
  summary: z.string().nullable().optional().describe('Unless include_analysis=false'),
});

export const BatchDetailSchema = z.object({
  status: z.enum(['in-progress', 'completed']),
  batch_params: BatchParamsSchema,
  call_data: z.array(BatchCallSchema).describe('In row order; empty with include_calls=false'),
  analysis: BatchAnalysisSchema,
});

export interface DetailOptions {
  includeCalls: boolean;
  includeTranscripts: boolean;
  includeAnalysis: boolean;
}

/** The call fields the analysis reads, and `batch_row` for the rows' order. */
const ANALYSED: ReadonlyArray<keyof BatchCallFields | 'batch_row'> = ['batch_row', 'call_id', 'queue_status', 'completed', 'call_length', 'error_message', 'endpoint_url'];

/**
 * The fields of a batch's calls that GET /v1/batches/{id} reads: each of `call_data`'s, named as the
 * call document names them, only when the calls are shown; only the analysis's with include_calls=false.
 * The rest of a call (variables, metadata, pathway logs, its concatenated transcript…) is never read.
 */
export function batchCallProjection(opts: DetailOptions): Record<string, 1> {
  const shown = opts.includeCalls ? Object.keys(BatchCallSchema.shape).filter((k) => k !== 'transcripts' && (opts.includeAnalysis || (k !== 'analysis' && k !== 'summary'))) : [];
  return Object.fromEntries([...ANALYSED, ...shown].map((k) => [k, 1]));
}

export function batchDetail(b: BatchDoc, calls: CallDoc[], transcripts: Map<string, TranscriptDoc[]>, opts: DetailOptions): z.input<typeof BatchDetailSchema> {
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
