import request from 'supertest';
import type { CallDoc } from '../../src/db/types';
import { correctedTranscripts } from '../../src/db/corrected-transcripts';
import { TRANSCRIPTION_STAND_IN_NOTE } from '../../src/simulator/offline-model/transcription';
import { getCall, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

/**
 * GET /v1/calls/{id}/correct end to end: the simulator records the call, the first request starts
 * correct-<call_id>, the worker downloads the MP3 and transcribes it through the SDK against the
 * offline model's stand-in, and the stored segments are answered with their speakers.
 */
describe('corrected transcripts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const correct = (id: string, key = stack.org.apiKey) => request(stack.apiUrl).get(`/v1/calls/${encodeURIComponent(id)}/correct`).set('authorization', key);

  /** Asks until the answer is no longer `processing`; every answer before it must be a clear 202. */
  async function untilCorrected(id: string) {
    const seen: number[] = [];
    const res = await eventually(async () => {
      const r = await correct(id);
      seen.push(r.status);
      if (r.status === 202) {
        expect(r.body).toEqual({ status: 'processing', message: expect.any(String), corrected: [] });
        return null;
      }
      return r;
    }, 30_000, 200);
    return { res, seen };
  }

  it('answers processing while the call runs, then the recording\'s segments with times and speakers', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hi, who is calling please?', 'Okay, sounds good to me.', 'Thanks, goodbye.'], speechDelayMs: 400 });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello and confirm the appointment.', record: true });

    // Still in progress: a clear status, not an error, and no work started yet.
    const early = await correct(id).expect(202);
    expect(early.body).toEqual({ status: 'processing', message: expect.stringMatching(/in progress/), corrected: [] });
    expect((await getCall(stack, id)).completed).toBe(false);

    const call = await waitForCompletion(stack, id);
    expect(call.recording_url).toMatch(/\/Recordings\/RE[0-9a-f]{32}$/);
    const { res, seen } = await untilCorrected(id);
    expect(res.status).toBe(200);
    expect(seen[0]).toBe(202); // the first request after the call started the work
    expect(res.body).toMatchObject({ status: 'success', message: expect.stringContaining(TRANSCRIPTION_STAND_IN_NOTE) });

    // One segment per line the simulator rendered, in order, each with the line's words and speaker.
    const lines = simCallsTo(stack, to)[0]!.transcript;
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const corrected = res.body.corrected as Array<{ start: number; end: number; text: string; speaker: number }>;
    expect(corrected.map((s) => s.text.trim())).toEqual(lines.map((l) => l.text.trim()));
    expect(corrected.map((s) => s.speaker)).toEqual(lines.map((l) => (l.speaker === 'agent' ? 0 : 1)));
    // The stored transcript says the same.
    expect(corrected.map((s) => s.text.trim())).toEqual(call.transcripts.map((t: { text: string }) => t.text.trim()));
    let previousEnd = 0;
    for (const s of corrected) {
      expect(Object.keys(s).sort()).toEqual(['end', 'speaker', 'start', 'text']);
      expect(s.start).toBeGreaterThanOrEqual(previousEnd);
      expect(s.end).toBeGreaterThan(s.start);
      previousEnd = s.end;
    }
    // The alignment behind each speaker: the line it matched, and how well.
    for (const [i, a] of (res.body.aligned as Array<{ speaker: string; similarity: number }>).entries()) {
      expect(a.speaker).toBe(lines[i]!.speaker === 'agent' ? 'assistant' : 'user');
      expect(a.similarity).toBeCloseTo(1, 5);
    }

    // Stored once: asking again answers the same document without new work.
    const again = await correct(id).expect(200);
    expect(again.body).toEqual(res.body);
    expect(await correctedTranscripts(stack.db).countDocuments({ _id: id })).toBe(1);
    // The workflow closes just after its activity stored the answer.
    const handle = stack.temporal.client.workflow.getHandle(`correct-${id}`);
    await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', 10_000);
    expect(await handle.result()).toEqual({ status: 'complete' });

    // Another organisation's call is not found, in Bland's error shape.
    const other = await stack.newOrg();
    const foreign = await correct(id, other.apiKey).expect(404);
    expect(foreign.body).toMatchObject({ status: 'error', errors: expect.any(Array) });
    expect(JSON.stringify(foreign.body)).not.toContain('Recordings');
  });

  it('answers the seed\'s error for a call without a recording, and starts nothing', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Bye.'] });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.' });
    const during = await correct(id).expect(404);
    expect(during.body).toMatchObject({ status: 'error', message: 'Error fetching recording', errors: [expect.stringMatching(/record: true/)] });
    await waitForCompletion(stack, id);
    const after = await correct(id).expect(404);
    expect(after.body).toMatchObject({ status: 'error', message: 'Error fetching recording' });
    await expect(stack.temporal.client.workflow.getHandle(`correct-${id}`).describe()).rejects.toThrow();
    expect(await correctedTranscripts(stack.db).countDocuments({ _id: id })).toBe(0);
  });

  it('answers a recorded call that was never answered with the same error', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'busy' });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.', record: true });
    const call = await waitForCompletion(stack, id);
    expect(call.recording_url).toBeNull();
    const res = await correct(id).expect(404);
    expect(res.body).toMatchObject({ status: 'error', message: 'Error fetching recording', errors: [expect.stringMatching(/No recording/)] });
  });

  it('stores a transcription that failed for good and answers it as a 502, without retrying it forever', async () => {
    // A finished, recorded call whose recording the carrier no longer has.
    const id = `correct-gone-${Date.now()}`;
    const now = new Date();
    const sid = stack.config.telephony.simulatorAccountSid;
    const doc: CallDoc = {
      _id: id, org_id: stack.org.id, call_id: id, c_id: id, to: '+14155550100', from: '+14155550199',
      batch_id: null, campaign_id: null, inbound: false, request_data: {}, variables: {}, metadata: {},
      queue_status: 'complete', status: 'completed', completed: true, created_at: now, started_at: now,
      end_at: now, ended_at: now, call_length: 0.2, corrected_duration: '12', max_duration: 30,
      answered_by: 'human', call_ended_by: 'ASSISTANT', error_message: null, record: true,
      recording_url: `${stack.simulator.url}/2010-04-01/Accounts/${sid}/Recordings/RE${'0'.repeat(32)}`,
      summary: null, price: null, analysis: null, analysis_schema: null,
      pathway_logs: null, concatenated_transcript: null, transferred_to: null, local_dialing: false,
      endpoint_url: 'api.bland.ai', provider_call_sid: null, workflow_id: `call-${id}`, simulated: true,
    };
    await stack.db.collections.calls.insertOne(doc);
    await correct(id).expect(202);
    const { res } = await untilCorrected(id);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ status: 'error', message: 'Error correcting transcript', errors: [expect.stringMatching(/404/)] });
    expect(await stack.temporal.client.workflow.getHandle(`correct-${id}`).result()).toEqual({ status: 'failed' });
    // The same answer again, from the store; nothing half-written.
    expect((await correct(id).expect(502)).body).toEqual(res.body);
    expect(await correctedTranscripts(stack.db).findOne({ _id: id })).toMatchObject({ status: 'failed', segments: [] });
  });

  it('refuses unknown and malformed call ids and requests without a key', async () => {
    const missing = await correct('no-such-call').expect(404);
    expect(missing.body).toMatchObject({ status: 'error', message: expect.any(String), errors: expect.any(Array) });
    const long = await correct('x'.repeat(201)).expect(400);
    expect(long.body).toMatchObject({ status: 'error', errors: [expect.stringMatching(/call_id/)] });
    await request(stack.apiUrl).get('/v1/calls/some-call/correct').expect(401);
  });
});
