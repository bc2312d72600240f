import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/database';
import { callTranscripts, finalTranscriptLines } from '../../src/db/final-transcript';
import type { TranscriptDoc } from '../../src/db/types';

/** A finished call's lines come from its own document; any other call's from `transcripts`. */
describe('callTranscripts', () => {
  let db: Database;
  beforeAll(async () => {
    db = await connectDatabase(process.env.MONGODB_URI!, `test_final_transcript_${randomBytes(4).toString('hex')}`);
  });
  afterAll(async () => {
    await db.db.dropDatabase();
    await db.close();
  });

  const line = (callId: string, seq: number, text: string): TranscriptDoc => ({
    _id: `${callId}:${seq}`, org_id: 'o1', call_id: callId, seq, text, user: seq % 2 ? 'user' : 'assistant', created_at: new Date(1_000 + seq),
  });

  it('reads kept lines from the document, and the others (out of order in the store) from transcripts, each in order', async () => {
    // An older finished call (no kept lines) and a live one: their lines only in `transcripts`, stored out of order.
    await db.collections.transcripts.insertMany([line('old', 1, 'Yes.'), line('live', 0, 'Hi.'), line('old', 0, 'Hello?'), line('other-org', 0, 'No.')]);
    await db.collections.transcripts.updateOne({ _id: 'other-org:0' }, { $set: { org_id: 'o2', call_id: 'old' } });
    const kept = finalTranscriptLines('new', [
      { seq: 1, user: 'user', text: 'Sure.', at: new Date(2_001).toISOString() },
      { seq: 0, user: 'assistant', text: 'Shall we?', at: new Date(2_000).toISOString() },
    ]);
    const calls = [
      { org_id: 'o1', call_id: 'new', transcript_lines: kept },
      { org_id: 'o1', call_id: 'old' },
      { org_id: 'o1', call_id: 'live' },
    ];
    const byCall = await callTranscripts(db.collections.transcripts, 'o1', calls, 1);
    const texts = (id: string) => byCall.get(id)?.map((l) => [l._id, l.org_id, l.call_id, l.seq, l.text]);
    expect(texts('new')).toEqual([['new:0', 'o1', 'new', 0, 'Shall we?'], ['new:1', 'o1', 'new', 1, 'Sure.']]);
    // Another organisation's line under the same call ID is not read.
    expect(texts('old')).toEqual([['old:0', 'o1', 'old', 0, 'Hello?'], ['old:1', 'o1', 'old', 1, 'Yes.']]);
    expect(texts('live')).toEqual([['live:0', 'o1', 'live', 0, 'Hi.']]);
  });
});
