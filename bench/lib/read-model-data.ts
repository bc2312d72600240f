import type { BatchDoc, BatchRowChunkDoc } from '../../src/batches/types';
import type { Database } from '../../src/db/database';
import { asFinalLine } from '../../src/db/final-transcript';
import type { CallDoc, CallEventDoc, TranscriptDoc } from '../../src/db/types';

/** The read model of bench/read-model.ts: what `calls` finished calls of one organisation leave behind. */

export const ORG = 'org-bench';
export const LINES = 12;
export const EVENTS = 12;
export const CALLS_PER_BATCH = 100;
/** Calls written per round: their documents, lines and events go in one insertMany each. */
const ROUND = 500;
/** One call in this many is still live (queued, not completed); one in ten was sent with an Idempotency-Key. */
const LIVE_EVERY = 1000;
const KEYED_EVERY = 10;

export const callIdOf = (n: number) => `bench-call-${n.toString().padStart(6, '0')}`;
export const batchIdOf = (b: number) => `bench-batch-${b.toString().padStart(4, '0')}-gen-batch`;
export const providerSidOf = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;

const TRANSCRIPT =
  'assistant: Hello, this is the clinic calling to confirm your appointment on Tuesday at ten.\n' +
  'user: Yes, that works for me.\nassistant: Great, we will see you then. Goodbye.';

/** A finished call's document, shaped as the worker leaves it (src/calls/call-doc.ts, then its final record). */
function callDoc(n: number, at: Date): CallDoc {
  const id = callIdOf(n);
  const live = n % LIVE_EVERY === 0;
  return {
    _id: id, org_id: ORG, call_id: id, c_id: id,
    to: `+1415555${(n % 10_000).toString().padStart(4, '0')}`, from: '+14155550000',
    batch_id: batchIdOf(Math.floor(n / CALLS_PER_BATCH)), batch_row: n % CALLS_PER_BATCH, campaign_id: null, inbound: false,
    request_data: { name: `Caller ${n}`, appointment: 'Tuesday 10:00' }, variables: { name: `Caller ${n}` }, metadata: {},
    queue_status: live ? 'queued' : 'complete', status: live ? 'queued' : 'completed', completed: !live,
    created_at: at, started_at: at, end_at: at, ended_at: at,
    call_length: 0.8, corrected_duration: '48', max_duration: 30,
    answered_by: 'human', call_ended_by: 'ASSISTANT', error_message: null,
    record: false, recording_url: null, summary: 'The callee confirmed the Tuesday appointment.', price: 0.072,
    analysis: null, analysis_schema: null, pathway_logs: null, concatenated_transcript: TRANSCRIPT, transferred_to: null,
    local_dialing: false, endpoint_url: 'https://api.example.com', provider_call_sid: providerSidOf(n), dial_attempt: 1,
    workflow_id: `call-${id}`, simulated: true,
  };
}

function batchDoc(b: number, at: Date): BatchDoc {
  const id = batchIdOf(b);
  return {
    _id: id, org_id: ORG, batch_id: id, label: `Batch ${b}`, campaign_id: null, base_prompt: 'Confirm the appointment of {{name}}.',
    call_params: {}, endpoint_code: 'api', created_at: at, status: 'completed', total_rows: CALLS_PER_BATCH, dial_rows: CALLS_PER_BATCH,
    test_mode: false, max_concurrency: 50, batch_webhook: null, start_time: null, replay_of: null, replay_statuses: null,
    skipped_rows: [], workflow_id: `batch-${id}`, stopped: false, completed_at: at,
  } as unknown as BatchDoc;
}

function batchRows(b: number): BatchRowChunkDoc {
  const id = batchIdOf(b);
  const rows = Array.from({ length: CALLS_PER_BATCH }, (_, i) => ({ phone_number: `+1415555${i.toString().padStart(4, '0')}`, name: `Caller ${b * CALLS_PER_BATCH + i}` }));
  return { _id: `${id}:000000`, org_id: ORG, batch_id: id, chunk: 0, first_index: 0, rows };
}

/**
 * Fills `calls` calls (12 transcript lines and 12 events each), a batch document and its rows per
 * 100 calls, and an idempotency key per ten calls, in rounds of 500 calls, so memory stays bounded
 * whatever `calls` is. Created times are one second apart, the newest now.
 */
export async function fill(db: Database, calls: number, progress: (done: number) => void): Promise<void> {
  const c = db.collections;
  const t0 = Date.now();
  const at = (n: number) => new Date(t0 - (calls - n) * 1000);
  for (let from = 0; from < calls; from += ROUND) {
    const ns = Array.from({ length: Math.min(ROUND, calls - from) }, (_, k) => from + k);
    const linesOf = (n: number): TranscriptDoc[] =>
      Array.from({ length: LINES }, (_, seq) => ({
        _id: `${callIdOf(n)}:${seq}`, org_id: ORG, call_id: callIdOf(n), seq, user: seq % 2 ? 'user' : 'assistant',
        text: seq % 2 ? 'Yes, that works for me.' : 'Great, we will see you then on Tuesday at ten.', created_at: at(n),
      }) as TranscriptDoc);
    const docs = ns.map((n) => callDoc(n, at(n)));
    await c.calls.insertMany(docs);
    await c.transcripts.insertMany(ns.flatMap(linesOf));
    // A finished call's final record also keeps its whole transcript in one document (src/db/final-transcript.ts).
    const finished = ns.filter((_, k) => docs[k]!.completed);
    await c.finalTranscripts.insertMany(finished.map((n) => ({ _id: callIdOf(n), org_id: ORG, lines: linesOf(n).map(asFinalLine) })));
    const events: CallEventDoc[] = ns.flatMap((n) =>
      Array.from({ length: EVENTS }, (_, k) => ({
        _id: `${callIdOf(n)}:run:act:${k}`, org_id: ORG, call_id: callIdOf(n), level: 'call', category: 'info',
        message: `Step ${k} of the call`, timestamp: new Date(at(n).getTime() + k),
      }) as CallEventDoc),
    );
    await c.callEvents.insertMany(events);
    const keyed = ns.filter((n) => n % KEYED_EVERY === 0);
    if (keyed.length > 0) {
      await c.idempotencyKeys.insertMany(keyed.map((n) => ({ _id: `${ORG}:key-${n}`, org_id: ORG, resource_id: callIdOf(n), created_at: at(n) })));
    }
    const batches = [...new Set(ns.map((n) => Math.floor(n / CALLS_PER_BATCH)))].filter((b) => b * CALLS_PER_BATCH >= from);
    if (batches.length > 0) {
      await c.batches.insertMany(batches.map((b) => batchDoc(b, at(b * CALLS_PER_BATCH))));
      await c.batchRows.insertMany(batches.map(batchRows));
    }
    progress(from + ns.length);
  }
  await c.apiKeys.insertOne({ _id: 'bench-key-digest', org_id: ORG, prefix: 'sb_bench', label: 'bench', created_at: new Date() });
}
