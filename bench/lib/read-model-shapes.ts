import type { Filter } from 'mongodb';
import { readBatchCalls } from '../../src/batches/batch-calls';
import { createCallCounter, listCalls, type CallCounter } from '../../src/calls/call-list';
import { createPageAnchors, newestPage, type PageAnchors } from '../../src/db/newest-page';
import { findOwnedCall, insertOnce } from '../../src/db/call-events';
import { callTranscripts } from '../../src/db/final-transcript';
import type { Database } from '../../src/db/database';
import type { CallDoc, CallEventDoc, TranscriptDoc } from '../../src/db/types';
import { batchIdOf, CALLS_PER_BATCH, callIdOf, ORG, providerSidOf } from './read-model-data';

/**
 * Every query shape the worker and the API send to the read model, each as the code sends it
 * (filters, projections, sorts, limits), in bench/read-model.ts. `usedBy` says where; a shape
 * that nothing sends any more, kept to show what its replacement saves, says so.
 */
export interface Shape {
  name: string;
  usedBy: string;
  run(db: Database, ctx: ShapeContext, i: number): Promise<unknown>;
}

export interface ShapeContext {
  calls: number;
  /** A call spread over the collection for sample i. */
  pick(i: number): string;
  /** The number of that call, for its provider SID. */
  pickN(i: number): number;
  batch(i: number): string;
}

/** The worker prepares a batch's calls 25 rows at a time (BATCH_GROUP_SIZE). */
const GROUP = 25;

const line = (id: string, i: number): TranscriptDoc => ({ _id: id, org_id: ORG, call_id: `new-call-${i}`, seq: i, text: 'Yes, that works.', user: 'user', created_at: new Date() });
const event = (id: string): CallEventDoc => ({ _id: id, org_id: ORG, call_id: 'new-call', level: 'call', category: 'info', message: 'Turn recorded', timestamp: new Date() });
const newCall = (id: string, batchId: string | null): CallDoc =>
  ({
    _id: id, org_id: ORG, call_id: id, c_id: id, to: '+14155550123', from: '+14155550000', batch_id: batchId, campaign_id: null, inbound: false,
    request_data: {}, variables: {}, metadata: {}, queue_status: 'queued', status: 'queued', completed: false, created_at: new Date(),
    started_at: null, end_at: null, ended_at: null, call_length: null, corrected_duration: null, max_duration: 30, answered_by: null,
    call_ended_by: null, error_message: null, record: false, recording_url: null, summary: null, price: null, analysis: null,
    analysis_schema: null, pathway_logs: null, concatenated_transcript: null, transferred_to: null, local_dialing: false,
    endpoint_url: 'https://api.example.com', provider_call_sid: null, workflow_id: `call-${id}`, simulated: true,
  }) as CallDoc;

/**
 * GET /v1/calls: the total of the filter and one page of it, newest first, as the API reads them
 * (src/calls/call-list.ts), with one counter and one set of page anchors a store, as an API process
 * keeps them; GET /v1/batches' newest page the same way (api/routes/batches.ts).
 */
const reads = new WeakMap<Database, { counter: CallCounter; anchors: PageAnchors; batchAnchors: PageAnchors }>();
const readsOf = (db: Database) => {
  const r = reads.get(db) ?? { counter: createCallCounter(db.collections.calls), anchors: createPageAnchors(), batchAnchors: createPageAnchors() };
  reads.set(db, r);
  return r;
};
const listPage = (db: Database, filter: Filter<CallDoc>) =>
  listCalls(db.collections.calls, readsOf(db), { orgId: ORG, filter, skip: 0, limit: 20, ascending: false }, Date.now());

/** The first is the baseline: a round trip that touches no collection. */
export const SHAPES: Shape[] = [
  { name: 'ping (baseline)', usedBy: 'nothing: the floor of any round trip', run: (db) => db.db.command({ ping: 1 }) },

  // Every API request.
  { name: 'api_keys.findOne {_id}', usedBy: 'API, every request (src/auth/api-keys.ts)', run: (db) => db.collections.apiKeys.findOne({ _id: 'bench-key-digest' }) },
  {
    name: 'rate_limits.findOneAndUpdate {_id} upsert $inc',
    usedBy: 'API, every request and each work-creating POST (src/rate-limit/counters.ts)',
    run: (db, _c, i) =>
      db.db.collection<{ _id: string }>('rate_limits').findOneAndUpdate(
        { _id: `${ORG}:requests:${Math.floor(i / 50)}` },
        { $inc: { requests: 1 }, $setOnInsert: { scope: 'org', org_id: ORG, expires_at: new Date(Date.now() + 60_000) } },
        { upsert: true, returnDocument: 'after' },
      ),
  },

  // POST /v1/calls.
  { name: 'idempotency_keys.findOne {_id, org_id}', usedBy: 'API, POST /v1/calls with Idempotency-Key (api/services/create-call.ts)', run: (db, c, i) => db.collections.idempotencyKeys.findOne({ _id: `${ORG}:key-${c.pickN(i) - (c.pickN(i) % 10)}`, org_id: ORG }) },
  { name: 'idempotency_keys.insertOne', usedBy: 'API, POST /v1/calls with Idempotency-Key', run: (db, _c, i) => db.collections.idempotencyKeys.insertOne({ _id: `${ORG}:new-key-${i}`, org_id: ORG, resource_id: `new-call-${i}`, created_at: new Date() }) },
  { name: 'calls.insertOne', usedBy: 'API, POST /v1/calls and chats', run: (db, _c, i) => db.collections.calls.insertOne(newCall(`new-call-${i}`, null)) },
  { name: 'call_events.insertOne', usedBy: 'API, POST /v1/calls ("Call queued")', run: (db, _c, i) => db.collections.callEvents.insertOne(event(`new-call-${i}:queued`)) },
  { name: 'calls.updateOne {_id, org_id} $set', usedBy: 'API, a call whose start failed; chats', run: (db, c, i) => db.collections.calls.updateOne({ _id: c.pick(i), org_id: ORG }, { $set: { error_message: null } }) },

  // API reads.
  { name: 'calls.findOne {_id, org_id}', usedBy: 'API, GET /v1/calls/{id}, stop, recording, analysis, replay', run: (db, c, i) => db.collections.calls.findOne({ _id: c.pick(i), org_id: ORG }) },
  { name: 'transcripts.find {org_id, call_id} sort seq', usedBy: 'API, GET /v1/calls/{id}; worker, transcript fallback at the end of a call', run: (db, c, i) => db.collections.transcripts.find({ org_id: ORG, call_id: c.pick(i) }).sort({ seq: 1 }).toArray() },
  {
    name: 'event stream: count {_id, org_id} + events sort timestamp',
    usedBy: 'API, GET /v1/event_stream/{id} (api/routes/call-events.ts)',
    run: async (db, c, i) => {
      await db.collections.calls.countDocuments({ _id: c.pick(i), org_id: ORG }, { limit: 1 });
      return db.collections.callEvents.find({ org_id: ORG, call_id: c.pick(i) }).sort({ timestamp: 1 }).limit(5000).toArray();
    },
  },
  { name: 'GET /v1/calls: count {org_id} + 20 newest', usedBy: 'API, GET /v1/calls', run: (db) => listPage(db, { org_id: ORG }) },
  { name: 'GET /v1/calls?batch_id: count + 20 newest', usedBy: 'API, GET /v1/calls?batch_id=…', run: (db, c, i) => listPage(db, { org_id: ORG, batch_id: c.batch(i) }) },
  { name: 'GET /v1/calls?completed=false: count + 20 newest', usedBy: 'API, GET /v1/calls?completed=false', run: (db) => listPage(db, { org_id: ORG, completed: false }) },
  { name: 'calls.distinct _id {org_id, completed: false}', usedBy: 'API, POST /v1/calls/active/stop', run: (db) => db.collections.calls.distinct('_id', { org_id: ORG, completed: false }) },
  { name: 'calls.find {org_id, completed: false} _id (replaced)', usedBy: 'API, POST /v1/calls/active/stop until 2026-12-03', run: (db) => db.collections.calls.find({ org_id: ORG, completed: false }, { projection: { _id: 1 }, batchSize: 10_000 }).limit(10_000).toArray() },
  {
    name: 'GET /v1/batches: 20 newest {org_id}',
    usedBy: 'API, GET /v1/batches (src/db/newest-page.ts)',
    run: (db) => newestPage(db.collections.batches, { filter: { org_id: ORG }, skip: 0, limit: 20, now: Date.now() }, { cache: readsOf(db).batchAnchors, key: `${ORG}|0|20` }),
  },
  {
    name: 'GET /v1/batches/{id}: batch, its calls, their lines',
    usedBy: 'API, GET /v1/batches/{id} (src/batches/batch-calls.ts: the fields shown, not whole calls)',
    run: async (db, c, i) => {
      await db.collections.batches.findOne({ _id: c.batch(i), org_id: ORG });
      return readBatchCalls(db, ORG, c.batch(i), { includeCalls: true, includeTranscripts: true, includeAnalysis: true });
    },
  },
  {
    name: 'GET /v1/batches/{id}?include_calls=false',
    usedBy: 'API, GET /v1/batches/{id}?include_calls=false (the analysis alone)',
    run: async (db, c, i) => {
      await db.collections.batches.findOne({ _id: c.batch(i), org_id: ORG });
      return readBatchCalls(db, ORG, c.batch(i), { includeCalls: false, includeTranscripts: true, includeAnalysis: true });
    },
  },
  {
    name: 'GET /v1/batches/{id} with whole calls (replaced)',
    usedBy: 'nothing now: GET /v1/batches/{id} until 2026-12-05, whatever include_calls said',
    run: async (db, c, i) => {
      await db.collections.batches.findOne({ _id: c.batch(i), org_id: ORG });
      const calls = await db.collections.calls.find({ org_id: ORG, batch_id: c.batch(i) }).toArray();
      return callTranscripts(db, ORG, calls.map((d) => d._id));
    },
  },
  {
    name: 'GET /v1/batches/{id} with every line from transcripts (replaced)',
    usedBy: 'nothing now: GET /v1/batches/{id} before final transcripts were kept',
    run: async (db, c, i) => {
      await db.collections.batches.findOne({ _id: c.batch(i), org_id: ORG });
      const calls = await db.collections.calls.find({ org_id: ORG, batch_id: c.batch(i) }).toArray();
      return db.collections.transcripts.find({ org_id: ORG, call_id: { $in: calls.map((d) => d._id) } }).toArray();
    },
  },
  {
    name: 'calls.find {org_id, batch_id} _id, completed',
    usedBy: 'API, POST /v1/batches/{id}/analyze (completed filtered by the API)',
    run: (db, c, i) => db.collections.calls.find({ org_id: ORG, batch_id: c.batch(i) }, { projection: { _id: 1, completed: 1 } }).toArray(),
  },
  {
    name: 'calls.find {org_id, batch_id} outcomes',
    usedBy: 'API, batch replay (src/batches/replay.ts)',
    run: (db, c, i) => db.collections.calls.find({ org_id: ORG, batch_id: c.batch(i) }, { projection: { queue_status: 1, status: 1, answered_by: 1, batch_row: 1, completed: 1 } }).toArray(),
  },

  // The worker, every call.
  { name: 'calls.findOne {_id}, org checked in code', usedBy: 'worker, placeCall and the first record write of a call (src/db/call-events.ts)', run: (db, c, i) => findOwnedCall(db, ORG, c.pick(i)) },
  { name: 'calls.updateOne {_id} $set', usedBy: 'worker, updateCall, placeCall, post-call, dynamic data', run: (db, c, i) => db.collections.calls.updateOne({ _id: c.pick(i) }, { $set: { answered_by: 'human' } }) },
  { name: 'transcripts insertOnce', usedBy: 'worker, recordTurn (fixed _id, unordered insertMany)', run: (db, _c, i) => insertOnce(db.collections.transcripts, [line(`new-line:${i}`, i)]) },
  { name: 'transcripts insertOnce, duplicate (a retry)', usedBy: 'worker, recordTurn retried after a crash', run: (db, _c, i) => insertOnce(db.collections.transcripts, [line(`new-line:${i}`, i)]) },
  { name: 'call_events insertOnce', usedBy: 'worker, events of each step', run: (db, _c, i) => insertOnce(db.collections.callEvents, [event(`new-event:${i}`)]) },
  {
    name: 'calls.findOne {provider_call_sid, org_id}',
    usedBy: 'worker, hang-up or redirect after a worker restart (activities/telephony.ts)',
    run: (db, c, i) => db.collections.calls.findOne({ provider_call_sid: providerSidOf(c.pickN(i)), org_id: ORG }, { projection: { carrier_account_id: 1 } }),
  },

  // The worker, each batch group.
  { name: 'batches.findOne {_id, org_id}', usedBy: 'worker, prepareBatchCalls, finishBatch; API, batch routes', run: (db, c, i) => db.collections.batches.findOne({ _id: c.batch(i), org_id: ORG }) },
  { name: 'batch_rows.find {_id $in, org_id}', usedBy: 'worker, prepareBatchCalls (readRows)', run: (db, c, i) => db.collections.batchRows.find({ _id: { $in: [`${c.batch(i)}:000000`] }, org_id: ORG }).toArray() },
  {
    name: `calls.insertMany ${GROUP}, unordered`,
    usedBy: 'worker, prepareBatchCalls',
    run: (db, _c, i) => db.collections.calls.insertMany(Array.from({ length: GROUP }, (_, k) => newCall(`new-row-${i}-${k}`, 'new-batch')), { ordered: false }),
  },
  { name: 'dial_slots.insertOne', usedBy: 'worker, reserveDials (src/batches/dial-rate.ts)', run: (db, _c, i) => db.collections.dialSlots.insertOne({ _id: `${ORG}:${1_000_000 + i}`, org_id: ORG, slot: 1_000_000 + i }) },
  {
    name: `calls.updateMany {_id $in ${GROUP}, org_id, queue_status}`,
    usedBy: 'worker, cancelBatchCalls (a batch stopped)',
    run: (db, c, i) =>
      db.collections.calls.updateMany(
        { _id: { $in: Array.from({ length: GROUP }, (_, k) => c.pick(i * GROUP + k)) }, org_id: ORG, queue_status: 'queued' },
        { $set: { queue_status: 'complete', status: 'canceled', completed: true } },
      ),
  },

  // Not sent any more: what the insertOnce and bare-_id shapes above replaced.
  {
    name: 'transcripts upsert {_id, org_id} (replaced)',
    usedBy: 'nothing now: recordTurn before insertOnce',
    run: (db, _c, i) => db.collections.transcripts.updateOne({ _id: `old-line:${i}`, org_id: ORG }, { $setOnInsert: line(`old-line:${i}`, i) }, { upsert: true }),
  },
];

export function shapeContext(calls: number): ShapeContext {
  const pickN = (i: number) => (i * 7919) % calls;
  return { calls, pickN, pick: (i) => callIdOf(pickN(i)), batch: (i) => batchIdOf((i * 31) % Math.max(1, Math.floor(calls / CALLS_PER_BATCH))) };
}
