import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/database';
import { callTranscripts, finalTranscriptLines, keepFinalTranscript } from '../../src/db/final-transcript';
import type { TranscriptDoc } from '../../src/db/types';

/** A finished call's lines come from its final transcript; any other call's from `transcripts`. */
describe('final transcripts', () => {
  let db: Database;
  beforeAll(async () => {
    db = await connectDatabase(process.env.MONGODB_URI!, `test_final_transcript_${randomBytes(4).toString('hex')}`);
  });
  afterAll(async () => {
    await db.db.dropDatabase();
    await db.close();
  });

  const line = (callId: string, seq: number, text: string, orgId = 'o1'): TranscriptDoc => ({
    _id: `${orgId}:${callId}:${seq}`, org_id: orgId, call_id: callId, seq, text, user: seq % 2 ? 'user' : 'assistant', created_at: new Date(1_000 + seq),
  });

  it('reads kept transcripts whole, and the others (out of order in the store) from transcripts, each in order, within the organisation', async () => {
    // An older finished call (nothing kept) and a live one: their lines only in `transcripts`, stored out of order.
    await db.collections.transcripts.insertMany([line('old', 1, 'Yes.'), line('live', 0, 'Hi.'), line('old', 0, 'Hello?'), line('old', 2, 'No.', 'o2')]);
    const kept = finalTranscriptLines('new', [
      { seq: 1, user: 'user', text: 'Sure.', at: new Date(2_001).toISOString() },
      { seq: 0, user: 'assistant', text: 'Shall we?', at: new Date(2_000).toISOString() },
    ]);
    await keepFinalTranscript(db, 'o1', 'new', kept);
    // Written once: a retried final record changes nothing; another organisation's call of the same ID is not read.
    await keepFinalTranscript(db, 'o1', 'new', kept);
    await keepFinalTranscript(db, 'o2', 'other', kept);
    const byCall = await callTranscripts(db, 'o1', ['new', 'old', 'live', 'other', 'none'], 2);
    const rows = (id: string) => byCall.get(id)?.map((l) => [l._id, l.org_id, l.call_id, l.seq, l.text]);
    expect(rows('new')).toEqual([['new:0', 'o1', 'new', 0, 'Shall we?'], ['new:1', 'o1', 'new', 1, 'Sure.']]);
    expect(rows('old')).toEqual([['o1:old:0', 'o1', 'old', 0, 'Hello?'], ['o1:old:1', 'o1', 'old', 1, 'Yes.']]);
    expect(rows('live')).toEqual([['o1:live:0', 'o1', 'live', 0, 'Hi.']]);
    expect(byCall.has('other')).toBe(false);
    expect(byCall.has('none')).toBe(false);
  });
});
