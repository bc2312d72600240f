import type { CallDoc, TranscriptDoc } from '../../src/db/types';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** GET /v1/calls rows: no transcripts, as the seed says. */
export function callSummary(c: CallDoc) {
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
  };
}

/** GET /v1/calls/{id}: every field of the seed's response. */
export function callDetail(c: CallDoc, transcripts: TranscriptDoc[]) {
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
