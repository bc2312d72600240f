import { z } from 'zod';
import type { CallDoc, TranscriptDoc } from '../db/types';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const isoString = z.string().meta({ format: 'date-time' });
const json = z.record(z.string(), z.unknown());

/** A call as GET /v1/calls lists it: no transcripts, as the seed says. */
export const CallSummarySchema = z.object({
  call_id: z.string(),
  c_id: z.string(),
  created_at: isoString.nullable(),
  started_at: isoString.nullable(),
  end_at: isoString.nullable(),
  call_length: z.number().nullable().describe('Minutes'),
  to: z.string(),
  from: z.string(),
  completed: z.boolean(),
  inbound: z.boolean(),
  queue_status: z.string().describe('queued, allocated, started, complete, call_error, queue_error, …'),
  status: z.string(),
  error_message: z.string().nullable(),
  answered_by: z.string().nullable(),
  call_ended_by: z.string().nullable(),
  batch_id: z.string().nullable(),
  campaign_id: z.string().nullable(),
  simulated: z.boolean(),
  channel: z.enum(['phone', 'chat', 'web']).describe('Our addition: phone (a call), chat (a pathway chat) or web (a web agent\'s session)'),
});

export const TranscriptLineSchema = z.object({ id: z.string(), created_at: isoString.nullable(), text: z.string(), user: z.string(), c_id: z.string() });

/** GET /v1/calls/{call_id} and the call webhook's body: every field of the seed's response. */
export const CallDetailSchema = CallSummarySchema.extend({
  request_data: json,
  variables: json,
  metadata: json,
  max_duration: z.number(),
  endpoint_url: z.string(),
  local_dialing: z.boolean(),
  record: z.boolean(),
  recording_url: z.string().nullable(),
  summary: z.string().nullable(),
  price: z.number().nullable(),
  corrected_duration: z.string().nullable(),
  transferred_to: z.string().nullable(),
  attempts: z.array(z.object({ attempt: z.number(), status: z.string(), answered_by: z.string().nullable(), provider_call_sid: z.string().nullable(), ended_at: z.string() })),
  pathway_logs: z.array(z.unknown()).nullable(),
  analysis_schema: json.nullable(),
  analysis: json.nullable(),
  concatenated_transcript: z.string(),
  transcripts: z.array(TranscriptLineSchema),
});

export function callSummary(c: CallDoc): z.input<typeof CallSummarySchema> {
  return {
    call_id: c.call_id,
    c_id: c.c_id,
    created_at: iso(c.created_at),
    started_at: iso(c.started_at),
    end_at: iso(c.end_at),
    call_length: c.call_length,
    to: c.to,
    from: c.from,
    completed: c.completed,
    inbound: c.inbound,
    queue_status: c.queue_status,
    status: c.status,
    error_message: c.error_message,
    answered_by: c.answered_by,
    call_ended_by: c.call_ended_by,
    batch_id: c.batch_id,
    campaign_id: c.campaign_id,
    simulated: c.simulated,
    channel: c.channel ?? 'phone',
  };
}

export function callDetail(c: CallDoc, transcripts: TranscriptDoc[]): z.input<typeof CallDetailSchema> {
  return {
    ...callSummary(c),
    request_data: c.request_data,
    variables: c.variables,
    metadata: c.metadata,
    max_duration: c.max_duration,
    endpoint_url: c.endpoint_url,
    local_dialing: c.local_dialing,
    record: c.record,
    recording_url: c.recording_url,
    summary: c.summary,
    price: c.price,
    corrected_duration: c.corrected_duration,
    transferred_to: c.transferred_to,
    attempts: c.attempts ?? [],
    pathway_logs: c.pathway_logs,
    analysis_schema: c.analysis_schema,
    analysis: c.analysis,
    concatenated_transcript: c.concatenated_transcript ?? transcripts.map((t) => `${t.user}: ${t.text}`).join(' \n '),
    transcripts: transcripts.map((t) => ({
      id: t._id,
      created_at: iso(t.created_at),
      text: t.text,
      user: t.user,
      c_id: t.call_id,
    })),
  };
}
