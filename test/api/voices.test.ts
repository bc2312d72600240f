import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { inboundCallId } from '../../src/calls/inbound-call';
import { callWorkflowId } from '../../src/ids';
import { agentReplyTwiml } from '../../src/telephony/twiml';
import type { CallWorkflowInput } from '../../src/workflow-api/call';
import { batchWorkflowId } from '../../src/workflow-api/batch';
import { sendCall, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, type Stack } from '../helpers/stack';

const MAYA = '2f9fdbc7-4bf2-4792-8a18-21ce3c93978f';

/** The voice registry, own voices, samples, and `voice` on calls, batches and inbound agents (no worker). */
describe('API: voices', () => {
  let stack: Stack;
  const calls: string[] = [];
  const batches: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await Promise.allSettled(calls.map((id) => stack.temporal.client.workflow.getHandle(callWorkflowId(id)).terminate('test cleanup')));
    await Promise.allSettled(batches.map((id) => stack.temporal.client.workflow.getHandle(batchWorkflowId(id)).terminate('test cleanup')));
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const key = () => stack.org.apiKey;
  const startInput = async (callId: string): Promise<CallWorkflowInput> => {
    const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
    return JSON.parse(Buffer.from(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!).toString());
  };

  it('lists the curated voices in the seed shape, and reads one by id or by name in any case', async () => {
    const list = await api().get('/v1/voices').set('authorization', key()).expect(200);
    const maya = list.body.voices.find((v: { name: string }) => v.name === 'maya');
    expect(maya).toMatchObject({ id: MAYA, name: 'maya', description: 'Young American Female', public: true, tags: ['english', 'soft', 'Bland Curated'], average_rating: 0, total_ratings: 0, say_voice: 'Polly.Joanna-Neural', speech_voice: 'nova' });
    expect(list.body.voices.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(['maya', 'ryan', 'mason', 'tina', 'josh']));
    for (const v of list.body.voices) expect(v.say_voice).toMatch(/^(Polly|Google)\./);

    const byId = await api().get(`/v1/voices/${MAYA}`).set('authorization', key()).expect(200);
    const byName = await api().get('/v1/voices/MaYa').set('authorization', key()).expect(200);
    expect(byName.body).toEqual(byId.body);
    expect(byId.body).toMatchObject({ status: 'success', voice: { id: MAYA, name: 'maya' } });

    const missing = await api().get('/v1/voices/nobody').set('authorization', key()).expect(404);
    expect(missing.body).toMatchObject({ status: 'error', message: 'Voice not found.' });
    await request(stack.apiUrl).get('/v1/voices').expect(401);
  });

  it('speaks a sample through the speech model: real audio, labelled offline, in mp3 or wav', async () => {
    const mp3 = await api().post('/v1/voices/maya/sample').set('authorization', key()).send({ text: 'Hello from Maya.' }).buffer(true).expect(200);
    expect(mp3.headers['content-type']).toMatch(/^audio\/mpeg/);
    expect(mp3.headers['x-switchboard-offline-speech']).toBe('tone stand-in, not speech');
    expect(mp3.headers['x-switchboard-speech-voice']).toBe('nova');
    const bytes = mp3.body as Buffer;
    // An MPEG audio frame sync (or an ID3 tag) opens the file.
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0).toBe(true);

    const wav = await api().post(`/v1/voices/${MAYA}/sample`).set('authorization', key()).send({ text: 'Hello.', format: 'wav', voice_settings: { speed: 1 } }).buffer(true).expect(200);
    expect(wav.headers['content-type']).toMatch(/^audio\/wav/);
    expect((wav.body as Buffer).subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect((wav.body as Buffer).subarray(8, 12).toString('ascii')).toBe('WAVE');
  });

  it('refuses bad sample requests with the limit named, and unknown voices with a 404', async () => {
    const long = await api().post('/v1/voices/maya/sample').set('authorization', key()).send({ text: 'x'.repeat(201) }).expect(400);
    expect(long.body.errors.join(' ')).toContain('at most 200 characters');
    const missing = await api().post('/v1/voices/maya/sample').set('authorization', key()).send({}).expect(400);
    expect(missing.body.errors.join(' ')).toContain('text');
    await api().post('/v1/voices/maya/sample').set('authorization', key()).send({ text: 5 }).expect(400);
    await api().post('/v1/voices/maya/sample').set('authorization', key()).send({ text: '   ' }).expect(400);
    await api().post('/v1/voices/maya/sample').set('authorization', key()).send({ text: 'hi', format: 'ogg' }).expect(400);
    await api().post('/v1/voices/nobody/sample').set('authorization', key()).send({ text: 'hi' }).expect(404);
  });

  it("adds, updates, publishes and deletes the organisation's own voices; another organisation sees them only once published", async () => {
    const other = await stack.newOrg();
    const created = await api()
      .post('/v1/voices')
      .set('authorization', key())
      .send({ voice_name: 'Front Desk', description: 'Our receptionist', tags: ['english'], base_voice: 'tina', voice_id: 7, reduce_latency: true })
      .expect(200);
    expect(created.body).toMatchObject({
      status: 'success',
      voice: { name: 'Front Desk', description: 'Our receptionist', public: false, editable: true, say_voice: 'Polly.Salli-Neural', speech_voice: 'shimmer', language: 'en-US' },
      warnings: [expect.stringContaining('"voice_id", "reduce_latency"')],
    });
    const id: string = created.body.voice.id;
    expect(created.body.voice.voice_preset_id).toBe(id);

    // Listed and readable (by id or name) for its organisation only.
    const mine = await api().get('/v1/voices').set('authorization', key()).expect(200);
    expect(mine.body.voices.map((v: { id: string }) => v.id)).toContain(id);
    await api().get('/v1/voices/front desk').set('authorization', key()).expect(200);
    const theirs = await api().get('/v1/voices').set('authorization', other.apiKey).expect(200);
    expect(theirs.body.voices.map((v: { id: string }) => v.id)).not.toContain(id);
    for (const [method, path, body] of [
      ['get', `/v1/voices/${id}`, undefined],
      ['post', `/v1/voices/${id}`, { description: 'x' }],
      ['patch', `/v1/voices/${id}`, { description: 'x' }],
      ['post', `/v1/voices/${id}/publish`, undefined],
      ['delete', `/v1/voices/${id}`, undefined],
      ['post', `/v1/voices/${id}/delete`, undefined],
      ['post', `/v1/voices/${id}/sample`, { text: 'hi' }],
    ] as const) {
      const res = await (api()[method](path).set('authorization', other.apiKey) as request.Test).send(body as object | undefined);
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    // Nor can the other organisation place a call with it.
    const refused = await api().post('/v1/calls').set('authorization', other.apiKey).send({ phone_number: '+14155550181', task: 't', voice: 'Front Desk' }).expect(400);
    expect(refused.body.errors[0]).toContain('GET /v1/voices');

    // Update (POST and PATCH; the Python client's `$<id>` path too); only the fields sent change.
    const updated = await api().patch(`/v1/voices/${id}`).set('authorization', key()).send({ say_voice: 'Google.en-US-Neural2-C', speech_voice: 'coral' }).expect(200);
    expect(updated.body.voice).toMatchObject({ name: 'Front Desk', description: 'Our receptionist', say_voice: 'Google.en-US-Neural2-C', speech_voice: 'coral' });
    const renamed = await api().post(`/v1/voices/$${id}`).set('authorization', key()).send({ voice_name: 'Reception' }).expect(200);
    expect(renamed.body.voice).toMatchObject({ id, name: 'Reception', say_voice: 'Google.en-US-Neural2-C' });
    expect((await stack.db.collections.voices.findOne({ _id: id }))).toMatchObject({ name: 'Reception', name_key: 'reception', org_id: stack.org.id });

    // Published: listed and usable by every organisation, still editable only by its own.
    const published = await api().post('/v1/voices/reception/publish').set('authorization', key()).expect(200);
    expect(published.body).toMatchObject({ status: 'success', message: 'Voice published successfully', voice: { id, public: true } });
    const seen = await api().get(`/v1/voices/${id}`).set('authorization', other.apiKey).expect(200);
    expect(seen.body.voice).toMatchObject({ name: 'Reception', public: true, editable: false });
    await api().post(`/v1/voices/${id}`).set('authorization', other.apiKey).send({ description: 'mine now' }).expect(404);
    const call = await api().post('/v1/calls').set('authorization', other.apiKey).send({ phone_number: '+14155550182', task: 't', voice: 'reception' }).expect(200);
    calls.push(call.body.call_id);
    expect((await startInput(call.body.call_id)).speech.voice).toBe('Google.en-US-Neural2-C');

    // A second public voice cannot take the same name.
    const twin = await api().post('/v1/voices').set('authorization', other.apiKey).send({ voice_name: 'Reception', say_voice: 'Polly.Brian' }).expect(200);
    const clash = await api().post(`/v1/voices/${twin.body.voice.id}/publish`).set('authorization', other.apiKey).expect(409);
    expect(clash.body.message).toContain('already exists');
    expect((await stack.db.collections.voices.findOne({ _id: twin.body.voice.id }))?.public).toBe(false);

    const deleted = await api().delete(`/v1/voices/${id}`).set('authorization', key()).expect(200);
    expect(deleted.body).toEqual({ status: 'success', message: 'Voice deleted.', voice: id });
    await api().get(`/v1/voices/${id}`).set('authorization', key()).expect(404);
    await api().post(`/v1/voices/${twin.body.voice.id}/delete`).set('authorization', other.apiKey).expect(200);
    expect(await stack.db.collections.voices.countDocuments({ _id: { $in: [id, twin.body.voice.id] } })).toBe(0);
  });

  it('refuses bad voice definitions and names that are taken, storing nothing', async () => {
    const before = await stack.db.collections.voices.countDocuments({ org_id: stack.org.id });
    const cases: Array<[Record<string, unknown> | string, string]> = [
      [{}, 'voice_name'],
      [{ voice_name: 'A' }, 'say_voice'],
      [{ voice_name: 'A', say_voice: 'Joanna' }, 'say_voice must be a carrier voice name'],
      [{ voice_name: 'A', say_voice: 'Polly.Joanna', speech_voice: 'robot' }, 'speech_voice must be one of'],
      [{ voice_name: 'A', base_voice: 'nobody' }, 'GET /v1/voices'],
      [{ voice_name: 'Polly.Joanna', say_voice: 'Polly.Joanna' }, 'must not be a carrier voice name'],
      [{ voice_name: MAYA, say_voice: 'Polly.Joanna' }, 'must not be a UUID'],
      [{ voice_name: '<script>', say_voice: 'Polly.Joanna' }, 'may contain letters'],
      [{ voice_name: 'x'.repeat(61), say_voice: 'Polly.Joanna' }, 'at most 60'],
      [{ voice_name: 'A', say_voice: 'Polly.Joanna', tags: 'english' }, 'tags must be an array'],
      [{ voice_name: 'A', say_voice: 'Polly.Joanna', description: 5 }, 'description must be a string'],
      ['[1,2]', 'JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await api().post('/v1/voices').set('authorization', key()).set('content-type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body)).expect(400);
      expect([body, res.body.status, res.body.errors.join(' ')]).toEqual([body, 'error', expect.stringContaining(message)]);
    }
    const curated = await api().post('/v1/voices').set('authorization', key()).send({ voice_name: 'MAYA', say_voice: 'Polly.Joanna' }).expect(409);
    expect(curated.body.message).toContain('curated');
    await api().post('/v1/voices').set('authorization', key()).send({ voice_name: 'Dup', say_voice: 'Polly.Joanna' }).expect(200);
    await api().post('/v1/voices').set('authorization', key()).send({ voice_name: 'dup', say_voice: 'Polly.Joanna' }).expect(409);
    await api().post('/v1/voices/maya/publish').set('authorization', key()).expect(400);
    await api().delete('/v1/voices/maya').set('authorization', key()).expect(404);
    await api().post('/v1/voices/maya').set('authorization', key()).send({ description: 'x' }).expect(404);
    expect(await stack.db.collections.voices.countDocuments({ org_id: stack.org.id })).toBe(before + 1);
  });

  it('resolves `voice: "maya"` on a call to its carrier voice, which the TwiML speaks; the call record keeps "maya"', async () => {
    const res = await api().post('/v1/calls').set('authorization', key()).send({ phone_number: '+14155550183', task: 't', voice: 'maya' }).expect(200);
    calls.push(res.body.call_id);
    const input = await startInput(res.body.call_id);
    expect(input.speech.voice).toBe('Polly.Joanna-Neural');
    const twiml = agentReplyTwiml({ say: 'Hello there.', action: 'continue', speech: input.speech } as never, 'https://example.com/gather');
    expect(twiml).toContain('<Say language="en-US" voice="Polly.Joanna-Neural">Hello there.</Say>');
    const stored = await stack.db.collections.calls.findOne({ _id: res.body.call_id });
    expect(stored?.request_data.voice).toBe('maya');

    // A carrier voice name is spoken as given, as with Twilio directly; no voice is the carrier's default.
    const raw = await api().post('/v1/calls').set('authorization', key()).send({ phone_number: '+14155550184', task: 't', voice: 'Polly.Brian' }).expect(200);
    calls.push(raw.body.call_id);
    expect((await startInput(raw.body.call_id)).speech.voice).toBe('Polly.Brian');
    const none = await api().post('/v1/calls').set('authorization', key()).send({ phone_number: '+14155550185', task: 't' }).expect(200);
    calls.push(none.body.call_id);
    expect((await startInput(none.body.call_id)).speech.voice).toBeNull();
  });

  it('refuses an unknown voice on a call with a 400 that says where the voices are, and creates no call', async () => {
    const before = await stack.db.collections.calls.countDocuments({ org_id: stack.org.id });
    const res = await api().post('/v1/calls').set('authorization', key()).send({ phone_number: '+14155550186', task: 't', voice: 'Morgan Freeman' }).expect(400);
    expect(res.body).toMatchObject({ status: 'error', message: 'Unknown voice' });
    expect(res.body.errors[0]).toContain('"Morgan Freeman" is not a known voice');
    expect(res.body.errors[0]).toContain('GET /v1/voices');
    await api().post('/v1/calls').set('authorization', key()).send({ phone_number: '+14155550186', task: 't', voice: 'Polly.' }).expect(400);
    expect(await stack.db.collections.calls.countDocuments({ org_id: stack.org.id })).toBe(before);
  });

  it('resolves a batch voice for every row, and refuses an unknown one before anything is stored', async () => {
    const ok = await api().post('/v1/batches').set('authorization', key()).send({ base_prompt: 'x', call_data: [{ phone_number: '+14155550187' }], voice: 'ryan' }).expect(200);
    batches.push(ok.body.batch_id);
    const batch = await stack.db.collections.batches.findOne({ _id: ok.body.batch_id });
    expect(batch?.call_params.voice).toBe('ryan');
    expect(JSON.parse(batch!.call_config_json!)).toMatchObject({ voice: 'Polly.Matthew-Neural' });
    const before = await stack.db.collections.batches.countDocuments({ org_id: stack.org.id });
    const bad = await api().post('/v1/batches').set('authorization', key()).send({ base_prompt: 'x', call_data: [{ phone_number: '+14155550188' }], voice: 'nobody' }).expect(400);
    expect(bad.body.errors[0]).toContain('GET /v1/voices');
    expect(await stack.db.collections.batches.countDocuments({ org_id: stack.org.id })).toBe(before);
  });

  it("checks an inbound number's agent voice when it is set", async () => {
    const bought = await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '415', prompt: 'Hi', voice: 'maya' }).expect(200);
    const phone: string = bought.body.inbound_number.phone_number;
    const bad = await api().post(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', key()).send({ voice: 'nobody' }).expect(400);
    expect(bad.body.errors[0]).toContain('GET /v1/voices');
    expect((await stack.db.collections.inboundNumbers.findOne({ _id: phone }))?.agent.voice).toBe('maya');
    await api().post(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', key()).send({ voice: 'JOSH' }).expect(200);
    await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '415', prompt: 'Hi', voice: 'nobody' }).expect(400);
  });
});

/**
 * A pass-through in front of the API that keeps the carrier webhooks' answers: PUBLIC_BASE_URL
 * points here, so the simulator signs and posts to it, and the TwiML the API served can be read.
 */
async function twimlRecorder(): Promise<{ url: string; served: string[]; target(port: number): void; close(): Promise<void> }> {
  let port = 0;
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url?.startsWith('/v1/telephony/')) served.push(body.toString('utf8'));
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    target: (p: number) => (port = p),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('E2E: a call with voice "maya" through the carrier simulator', () => {
  let stack: Stack;
  let recorder: Awaited<ReturnType<typeof twimlRecorder>>;
  beforeAll(async () => {
    recorder = await twimlRecorder();
    stack = await startStack({ env: { PUBLIC_BASE_URL: recorder.url } });
    recorder.target(Number(new URL(stack.apiUrl).port));
  });
  afterAll(async () => {
    await stack.stop();
    await recorder.close();
  });

  it("speaks every <Say> of the call in maya's carrier voice", async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['Hi, who is this?', 'Okay, bye.'] });
    const callId = await sendCall(stack, { phone_number: to, task: 'Greet the caller and say goodbye.', first_sentence: 'Hello from Maya.', voice: 'maya', max_duration: 1 });
    const call = await waitForCompletion(stack, callId, 45_000);
    expect(call.request_data.voice).toBe('maya');
    const says = recorder.served.flatMap((xml) => [...xml.matchAll(/<Say\b([^>]*)>([^<]*)<\/Say>/g)].map((m) => ({ attrs: m[1]!, text: m[2]! })));
    expect(says.map((s) => s.text)).toContain('Hello from Maya.');
    for (const say of says) expect(say.attrs).toContain('voice="Polly.Joanna-Neural"');
  });

  it("speaks an inbound number's agent in its voice, and an inbound session's voice over it", async () => {
    const api = () => request(stack.apiUrl);
    const phone = (await api().post('/v1/inbound/purchase').set('authorization', stack.org.apiKey).send({ area_code: '628', prompt: 'Say exactly: "Thanks for calling."', voice: 'ryan' }).expect(200)).body.phone_number as string;
    const voicesOf = async (sipHeaders: Record<string, string>) => {
      const from = recorder.served.length;
      const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: ['Thanks, goodbye.'] }, sipHeaders });
      await sim.done;
      expect(sim.errors).toEqual([]);
      await waitForCompletion(stack, inboundCallId(sim.req.accountSid, sim.sid), 45_000);
      const attrs = recorder.served.slice(from).flatMap((xml) => [...xml.matchAll(/<Say\b([^>]*)>/g)].map((m) => m[1]!));
      expect(attrs.length).toBeGreaterThan(0);
      return [...new Set(attrs.map((a) => /voice="([^"]*)"/.exec(a)?.[1] ?? null))];
    };
    expect(await voicesOf({})).toEqual(['Polly.Matthew-Neural']);

    const refused = await api().post('/v1/inbound/session').set('authorization', stack.org.apiKey).send({ phone_number: phone, voice: 'nobody' }).expect(400);
    expect(refused.body.errors[0]).toContain('GET /v1/voices');
    const session = await api().post('/v1/inbound/session').set('authorization', stack.org.apiKey).send({ phone_number: phone, voice: 'June' }).expect(200);
    expect(await voicesOf({ 'X-Bland-Session-Id': session.body.token })).toEqual(['Google.en-US-Neural2-F']);
  });
});
