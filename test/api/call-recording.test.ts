import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { CallDoc } from '../../src/db/types';
import { renderRecording } from '../../src/simulator/carrier/recording-audio';
import { startStack, uid, type Stack } from '../helpers/stack';

/** Collects a response body as bytes, whatever its content type. */
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  // In node, superagent hands parsers the raw response stream.
  const stream = res as unknown as NodeJS.ReadableStream;
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  stream.on('end', () => done(null, Buffer.concat(parts)));
};

/**
 * GET /v1/calls/:id/recording against real FerretDB, with a stand-in for the carrier's media
 * host: the API proxies the audio with the account's credentials, as Twilio's media URLs need.
 */
describe('API: call recordings', () => {
  let stack: Stack;
  let media: Server;
  let mediaUrl = '';
  const audio = renderRecording([
    { speaker: 'agent', text: 'Hello, this is a recorded call.' },
    { speaker: 'callee', text: 'Sounds good.' },
  ]);
  const seen: Array<{ path: string; authorization: string | undefined }> = [];

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    const { simulatorAccountSid: sid, simulatorAuthToken: token } = stack.config.telephony;
    const expectedAuth = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
    media = createServer((req: IncomingMessage, res) => {
      const path = req.url ?? '';
      seen.push({ path, authorization: req.headers.authorization });
      if (req.headers.authorization !== expectedAuth) return void res.writeHead(401).end('{"code":20003}');
      if (path.startsWith('/broken/')) return void res.writeHead(500).end('{"code":20500}');
      if (path.startsWith('/deleted/')) return void res.writeHead(404).end('{"code":20404}');
      if (path.endsWith('.mp3')) return void res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(audio.mp3);
      if (path.endsWith('.wav')) return void res.writeHead(200, { 'content-type': 'audio/x-wav' }).end(audio.wav);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    media.closeAllConnections();
    await new Promise((resolve) => media.close(resolve));
    await stack.stop();
  });

  async function insertCall(orgId: string, recordingUrl: string | null): Promise<string> {
    const id = `rec-test-${uid()}`;
    const now = new Date();
    const doc: CallDoc = {
      _id: id, org_id: orgId, call_id: id, c_id: id, to: '+14155550100', from: '+14155550199',
      batch_id: null, campaign_id: null, inbound: false, request_data: {}, variables: {}, metadata: {},
      queue_status: 'complete', status: 'completed', completed: true, created_at: now, started_at: now,
      end_at: now, ended_at: now, call_length: 0.2, corrected_duration: '12', max_duration: 30,
      answered_by: 'human', call_ended_by: 'ASSISTANT', error_message: null, record: recordingUrl !== null,
      recording_url: recordingUrl, summary: null, price: null, analysis: null, analysis_schema: null,
      pathway_logs: null, concatenated_transcript: null, transferred_to: null, local_dialing: false,
      endpoint_url: 'api.bland.ai', provider_call_sid: `CA${uid()}`, workflow_id: `call-${id}`, simulated: true,
    };
    await stack.db.collections.calls.insertOne(doc);
    return id;
  }

  const recordingUrl = (prefix = '') => `${mediaUrl}${prefix}/2010-04-01/Accounts/AC1/Recordings/RE${uid()}`;
  const getRecording = (id: string, accept?: string, apiKey = stack.org.apiKey) => {
    const req = request(stack.apiUrl).get(`/v1/calls/${id}/recording`).set('authorization', apiKey);
    return accept === undefined ? req : req.set('accept', accept);
  };

  it('answers the recording URL as JSON by default and for accept: application/json', async () => {
    const url = recordingUrl();
    const id = await insertCall(stack.org.id, url);
    const fetchesBefore = seen.length;
    for (const accept of [undefined, 'application/json', '*/*']) {
      const res = await getRecording(id, accept).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ status: 'success', url });
    }
    // The URL alone needs no trip to the carrier.
    expect(seen.length).toBe(fetchesBefore);
  });

  it('proxies the MP3 for accept: audio/mpeg, with the account credentials', async () => {
    const url = recordingUrl();
    const id = await insertCall(stack.org.id, url);
    const res = await getRecording(id, 'audio/mpeg').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.headers.vary).toMatch(/accept/i);
    expect(Buffer.compare(res.body as Buffer, audio.mp3)).toBe(0);
    const hit = seen.find((s) => s.path === `${new URL(url).pathname}.mp3`);
    expect(hit).toBeDefined();
  });

  it('proxies the WAV for accept: audio/wav or audio/x-wav', async () => {
    const id = await insertCall(stack.org.id, recordingUrl());
    for (const accept of ['audio/wav', 'audio/x-wav']) {
      const res = await getRecording(id, accept).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe(accept);
      expect(Buffer.compare(res.body as Buffer, audio.wav)).toBe(0);
    }
  });

  it("answers 404 in Bland's shape for unknown calls, calls without a recording, and other orgs' calls", async () => {
    const other = await stack.newOrg();
    const foreign = await insertCall(other.id, recordingUrl());
    const unrecorded = await insertCall(stack.org.id, null);
    const mine = await insertCall(stack.org.id, recordingUrl());
    for (const [id, accept] of [
      [`no-such-call-${uid()}`, 'application/json'],
      [unrecorded, 'application/json'],
      [unrecorded, 'audio/mpeg'],
      [foreign, 'application/json'],
      [foreign, 'audio/mpeg'],
    ] as const) {
      const res = await getRecording(id, accept).expect(404);
      expect(res.body).toEqual({ status: 'error', message: 'Error fetching recording', errors: [expect.any(String)] });
    }
    // The other org sees its own call, and this org's key does not open it.
    await getRecording(foreign, 'application/json', other.apiKey).expect(200);
    await getRecording(mine, 'application/json', other.apiKey).expect(404);
  });

  it('answers 404 when the carrier no longer has the media, 502 when the carrier fails', async () => {
    const gone = await insertCall(stack.org.id, recordingUrl('/deleted'));
    const missing = await getRecording(gone, 'audio/mpeg').expect(404);
    expect(missing.body).toMatchObject({ status: 'error', message: 'Error fetching recording' });

    const broken = await insertCall(stack.org.id, recordingUrl('/broken'));
    const failed = await getRecording(broken, 'audio/mpeg').expect(502);
    expect(failed.headers['content-type']).toMatch(/^application\/json/);
    expect(failed.body).toEqual({ status: 'error', message: 'Error fetching recording', errors: ['The carrier answered 500.'] });
    expect(JSON.stringify(failed.body)).not.toMatch(/at .*\.ts|stack/i);

    // Nothing listening: the carrier is unreachable.
    const unreachable = await insertCall(stack.org.id, 'http://127.0.0.1:1/2010-04-01/Accounts/AC1/Recordings/RE1');
    const down = await getRecording(unreachable, 'audio/mpeg').expect(502);
    expect(down.body).toMatchObject({ status: 'error', message: 'Error fetching recording' });
  });
});
