import { startOfflineModel, type OfflineModelHandle } from '../../src/simulator/offline-model/server';
import { createSpeechModel, SpeechRejectedError, SpeechUnavailableError, type SpeechModel, type SpeechRequest } from '../../src/llm/speech-model';
import { createSpeechRecognizer } from '../../src/llm/speech-recognizer';
import { pcm16FromFloat, readWav } from '../../src/audio/wav';
import { createWebVoice, DEFAULT_SPEECH_VOICE, WebVoiceUnavailableError } from '../../api/web-channel/voice';
import { TONE_CODE_NOTE } from '../../src/simulator/offline-model/transcription';

const offline = { mode: 'offline' as const, apiKey: undefined, baseUrl: undefined };

/** Every third sample of 48 kHz audio is 16 kHz; from 24 kHz, linear interpolation (as an audio graph resamples). */
function to16k(samples: Float32Array, rate: number): Float32Array {
  const out = new Float32Array(Math.floor((samples.length * 16000) / rate));
  for (let i = 0; i < out.length; i++) {
    const pos = (i * rate) / 16000;
    const k = Math.floor(pos);
    out[i] = (samples[k] ?? 0) * (1 - (pos - k)) + (samples[k + 1] ?? 0) * (pos - k);
  }
  return out;
}

describe('the browser channel voice against the offline stand-ins, through the openai SDK', () => {
  let model: OfflineModelHandle;
  beforeAll(async () => {
    model = await startOfflineModel({ port: 0 });
  });
  afterAll(async () => {
    await model.close();
  });

  const voice = () => createWebVoice({ speech: createSpeechModel(offline, model.url), recognizer: createSpeechRecognizer(offline, model.url), format: 'wav' });

  it('hears back what it said: speech as WAV, played at 16 kHz as PCM16, recognised to the same words', async () => {
    const v = voice();
    expect(v.enabled).toBe(true);
    const said = await v.speak('Can I book a table for Friday?', 'maya');
    expect(said.format).toBe('wav');
    const wav = readWav(said.audio);
    expect(wav.sampleRate).toBe(24000);
    expect(await v.transcribe(pcm16FromFloat(to16k(wav.samples, wav.sampleRate)), 16000)).toBe('Can I book a table for Friday?');
  });

  it('labels what the stand-ins answer', async () => {
    const speech = await fetch(`${model.url}/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tts-1', voice: 'nova', input: 'Hi.', response_format: 'wav' }) });
    expect(speech.headers.get('x-switchboard-offline-speech')).toBe('tone stand-in, not speech');
    expect(speech.headers.get('x-switchboard-offline-speech-code')).toBe('switchboard-tone-code/1');
    const form = new FormData();
    form.set('model', 'whisper-1');
    form.set('file', new Blob([Buffer.from(await speech.arrayBuffer())]), 'hi.wav');
    const heard = await fetch(`${model.url}/audio/transcriptions`, { method: 'POST', body: form });
    expect(heard.headers.get('x-switchboard-offline-rule')).toBe('tone-code');
    expect(await heard.json()).toEqual({ text: 'Hi.', x_switchboard_offline: TONE_CODE_NOTE });
  });

  it('answers silence with no words, and audio that is not the code with a clear refusal', async () => {
    const v = voice();
    expect(await v.transcribe(Buffer.alloc(32000), 16000)).toBe('');
    expect(await v.transcribe(Buffer.alloc(0), 16000)).toBe('');
    const hum = new Float32Array(16000).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.1 * Math.sin((2 * Math.PI * 1760 * i) / 16000));
    const err = await v.transcribe(pcm16FromFloat(hum), 16000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechRejectedError);
    expect((err as Error).message).toMatch(/offline model cannot recognise speech/);
  });

  it('speaks mp3 by default', async () => {
    const v = createWebVoice({ speech: createSpeechModel(offline, model.url), recognizer: createSpeechRecognizer(offline, model.url) });
    const said = await v.speak('Goodbye.', null);
    expect(said.format).toBe('mp3');
    expect(said.audio[0]).toBe(0xff);
  });
});

describe('the browser channel voice, its voices and failures', () => {
  const spoken: SpeechRequest[] = [];
  const speech: SpeechModel = {
    offline: true,
    speak: (req) => {
      spoken.push(req);
      return Promise.resolve({ audio: Buffer.from('x'), contentType: 'audio/wav', model: 'm', offline: true });
    },
  };

  it('maps the agent voice: a speech voice as is, a catalogue voice by name or id, else the default', async () => {
    const v = createWebVoice({ speech, recognizer: undefined });
    for (const name of ['Shimmer', 'ryan', '2f9fdbc7-4bf2-4792-8a18-21ce3c93978f', 'Polly.Joanna-Neural', null]) await v.speak('Hi.', name);
    expect(spoken.map((r) => r.voice)).toEqual(['shimmer', 'onyx', 'nova', DEFAULT_SPEECH_VOICE, DEFAULT_SPEECH_VOICE]);
    expect(v.enabled).toBe(false);
    await expect(v.transcribe(Buffer.alloc(4), 16000)).rejects.toBeInstanceOf(WebVoiceUnavailableError);
    await expect(createWebVoice({ speech: undefined, recognizer: undefined }).speak('Hi.', null)).rejects.toBeInstanceOf(WebVoiceUnavailableError);
  });

  it('reports an unreachable model as unavailable', async () => {
    const v = createWebVoice({ speech, recognizer: createSpeechRecognizer(offline, 'http://127.0.0.1:9/v1') });
    await expect(v.transcribe(Buffer.alloc(3200, 1), 16000)).rejects.toBeInstanceOf(SpeechUnavailableError);
  });
});
