import { ApplicationFailure } from '@temporalio/common';
import { OpenAiChatModel } from '../../src/llm/openai-chat-model';
import { renderRecording } from '../../src/simulator/carrier/recording-audio';
import { readScriptTag, scriptTag } from '../../src/simulator/carrier/script-tag';
import { startOfflineModel, type OfflineModelHandle } from '../../src/simulator/offline-model/server';
import { TRANSCRIPTION_STAND_IN_NOTE } from '../../src/simulator/offline-model/transcription';
import { alignSegments } from '../../src/transcripts/align';

const lines = [
  { speaker: 'agent' as const, text: 'Hi! I am calling about your appointment.' },
  { speaker: 'callee' as const, text: 'Who is this?' },
  { speaker: 'agent' as const, text: 'Thank you for your time. Goodbye!' },
];

describe('the simulator recording\'s script tag', () => {
  it('carries every rendered line with increasing times, after the audio', () => {
    const { mp3, durationSeconds } = renderRecording(lines);
    expect(mp3[0]).toBe(0xff); // the audio still comes first
    const script = readScriptTag(mp3)!;
    expect(script.source).toBe('switchboard carrier simulator');
    expect(script.segments.map((s) => [s.speaker, s.text])).toEqual(lines.map((l) => [l.speaker, l.text]));
    let previous = 0;
    for (const s of script.segments) {
      expect(s.start).toBeGreaterThan(previous);
      expect(s.end).toBeGreaterThan(s.start);
      previous = s.end;
    }
    expect(previous).toBeLessThanOrEqual(durationSeconds);
    // 200 ms beep + 300 ms gap, then 60 ms per character.
    expect(script.segments[0]).toMatchObject({ start: 0.5, end: 0.5 + 0.06 * lines[0]!.text.length });
  });

  it('round-trips any text and is absent from other audio', () => {
    const tagged = Buffer.concat([Buffer.from([0xff, 0xf3, 1, 2]), scriptTag({ source: 'switchboard carrier simulator', segments: [{ speaker: 'callee', text: 'Ça va? 👋 "quotes"', start: 1, end: 2 }] })]);
    expect(readScriptTag(tagged)!.segments[0]!.text).toBe('Ça va? 👋 "quotes"');
    expect(readScriptTag(renderRecording(lines).wav)).toBeNull();
    expect(readScriptTag(Buffer.from('not audio at all'))).toBeNull();
    expect(readScriptTag(tagged.subarray(0, tagged.length - 3))).toBeNull();
  });
});

describe('transcription through the SDK against the offline stand-in', () => {
  let model: OfflineModelHandle;
  let chat: OpenAiChatModel;
  beforeAll(async () => {
    model = await startOfflineModel({ port: 0 });
    chat = new OpenAiChatModel({ apiKey: 'offline', baseURL: model.url, defaultModel: 'switchboard-offline', offline: true });
  });
  afterAll(async () => {
    await model.close();
  });

  it('answers verbose_json segments from the script, labelled', async () => {
    const result = await chat.transcribe({ audio: renderRecording(lines).mp3, filename: 'call.mp3', contentType: 'audio/mpeg' });
    expect(result.note).toBe(TRANSCRIPTION_STAND_IN_NOTE);
    expect(result.model).toBe('whisper-1');
    expect(result.segments.map((s) => s.text.trim())).toEqual(lines.map((l) => l.text));
    expect(result.segments[1]!.start).toBeGreaterThan(result.segments[0]!.end);
  });

  it('refuses audio it cannot read with a 400, which fails the activity for good', async () => {
    const err = await chat.transcribe({ audio: renderRecording(lines).wav, filename: 'call.wav', contentType: 'audio/wav' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe('TranscriptionRequest');
    expect((err as ApplicationFailure).message).toMatch(/cannot recognise speech/);
  });

  it('refuses a request without a file or with an unknown format', async () => {
    const form = new FormData();
    form.set('model', 'whisper-1');
    const noFile = await fetch(`${model.url}/audio/transcriptions`, { method: 'POST', body: form });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: { param: string } }).error.param).toBe('file');
    form.set('file', new Blob([renderRecording(lines).mp3]), 'a.mp3');
    form.set('response_format', 'srt');
    const badFormat = await fetch(`${model.url}/audio/transcriptions`, { method: 'POST', body: form });
    expect(badFormat.status).toBe(400);
    const notMultipart = await fetch(`${model.url}/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(400);
  });
});

describe('speaker alignment', () => {
  const transcript = [
    { user: 'assistant' as const, text: 'Hi, I am calling about a pizza order. Could I get your name, please?' },
    { user: 'user' as const, text: 'Yeah, my name is John.' },
    { user: 'assistant' as const, text: 'Great. Thanks, John.' },
  ];
  const seg = (text: string, start: number) => ({ start, end: start + 1, text });

  it('gives each segment the role of the line it resembles, split sentences included', () => {
    const out = alignSegments([seg(' Hi, I\'m calling about a pizza order.', 0), seg('Could I get your name, please?', 1), seg('Yeah, my name is John.', 2), seg('Thanks, John.', 3)], transcript);
    expect(out.map((s) => s.speaker)).toEqual([0, 0, 1, 0]);
    expect(out.map((s) => s.role)).toEqual(['assistant', 'assistant', 'user', 'assistant']);
    expect(out[2]!.similarity).toBeCloseTo(1, 9);
    expect(out[0]!.similarity).toBeGreaterThan(0.4);
    expect(out[0]!.similarity).toBeLessThan(1);
  });

  it('keeps the previous speaker for words found in no line, and starts with the agent', () => {
    const out = alignSegments([seg('Mmm hmm.', 0), seg('Yeah, my name is John.', 1), seg('Uh huh.', 2)], transcript);
    expect(out.map((s) => s.speaker)).toEqual([0, 1, 1]);
    expect(out[0]!.similarity).toBe(0);
    expect(alignSegments([seg('Hello?', 0)], [])).toEqual([{ start: 0, end: 1, text: 'Hello?', speaker: 0, role: 'assistant', similarity: 0 }]);
  });
});
