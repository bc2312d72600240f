import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiSpeechModel, SpeechRejectedError, SpeechUnavailableError } from '../../src/llm/speech-model';
import { catalogVoice, isCarrierVoice, SPEECH_VOICES, VOICE_CATALOG } from '../../src/voices/catalog';

describe('voice catalogue', () => {
  it('has unique ids and names, each mapped to a carrier voice and a speech voice', () => {
    expect(new Set(VOICE_CATALOG.map((v) => v.id)).size).toBe(VOICE_CATALOG.length);
    expect(new Set(VOICE_CATALOG.map((v) => v.name.toLowerCase())).size).toBe(VOICE_CATALOG.length);
    for (const v of VOICE_CATALOG) {
      expect([v.name, isCarrierVoice(v.sayVoice)]).toEqual([v.name, true]);
      expect(SPEECH_VOICES).toContain(v.speechVoice);
    }
  });

  it('finds a voice by id or by name in any case, and nothing else', () => {
    expect(catalogVoice(' MAYA ')?.sayVoice).toBe('Polly.Joanna-Neural');
    expect(catalogVoice('37b3f1c8-a01e-4d70-b251-294733f08371')?.name).toBe('ryan');
    expect(catalogVoice('mayan')).toBeUndefined();
    expect(catalogVoice('')).toBeUndefined();
  });

  it('takes carrier voice names as Twilio <Say> does, and nothing that only looks like one', () => {
    for (const ok of ['man', 'woman', 'alice', 'Polly.Joanna', 'Polly.Joanna-Neural', 'Polly.Ruth-Generative', 'Google.en-US-Neural2-F', 'Google.en-GB-Standard-A', 'Google.en-US-Chirp3-HD-Aoede']) {
      expect([ok, isCarrierVoice(ok)]).toEqual([ok, true]);
    }
    for (const bad of ['maya', 'Polly.', 'Polly.joanna', 'Polly.Joanna-Fast', 'Google.en-US', 'polly.Joanna', 'Polly.Joanna <x>', 'Google.en-US-Neural2-F"', 'Man']) {
      expect([bad, isCarrierVoice(bad)]).toEqual([bad, false]);
    }
  });
});

describe('OpenAiSpeechModel errors', () => {
  let server: Server;
  let url = '';
  let reply: (res: import('node:http').ServerResponse) => void = () => undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => reply(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const model = (timeoutMs = 2000) => new OpenAiSpeechModel({ apiKey: 'k', baseURL: url, model: 'tts-1', offline: false, timeoutMs });
  const json = (status: number) => (res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `status ${status}`, type: 'x' } }));
  };

  it('returns the audio bytes with their content type', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      res.end(Buffer.from([0xff, 0xf3, 1, 2, 3]));
    };
    const out = await model().speak({ text: 'hi', voice: 'nova', format: 'mp3' });
    expect(out).toMatchObject({ contentType: 'audio/mpeg', model: 'tts-1', offline: false });
    expect([...out.audio]).toEqual([0xff, 0xf3, 1, 2, 3]);
  });

  it('classifies a 4xx as rejected, a 5xx or 429 as unavailable, and a slow answer as timed out', async () => {
    reply = json(400);
    await expect(model().speak({ text: 'hi', voice: 'nova', format: 'mp3' })).rejects.toBeInstanceOf(SpeechRejectedError);
    reply = json(503);
    await expect(model().speak({ text: 'hi', voice: 'nova', format: 'mp3' })).rejects.toMatchObject({ name: 'SpeechUnavailableError', timedOut: false });
    reply = json(429);
    await expect(model().speak({ text: 'hi', voice: 'nova', format: 'mp3' })).rejects.toBeInstanceOf(SpeechUnavailableError);
    reply = () => undefined; // never answers
    await expect(model(300).speak({ text: 'hi', voice: 'nova', format: 'mp3' })).rejects.toMatchObject({ name: 'SpeechUnavailableError', timedOut: true });
  });

  it('classifies a refused connection as unavailable, not timed out', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = new OpenAiSpeechModel({ apiKey: 'k', baseURL: `http://127.0.0.1:${port}/v1`, model: 'tts-1', offline: false, timeoutMs: 2000 });
    await expect(nowhere.speak({ text: 'hi', voice: 'nova', format: 'mp3' })).rejects.toMatchObject({ name: 'SpeechUnavailableError', timedOut: false });
  });
});
