import type { Request, Response } from 'express';
import { readScriptTag } from '../carrier/script-tag';
import { looksLikeWav, readWav, WavFormatError } from '../../audio/wav';
import { decodeToneCode } from './tone-code';

/** What the stand-in says about every transcription it returns. */
export const TRANSCRIPTION_STAND_IN_NOTE =
  'Offline stand-in: the segments are the carrier simulator\'s own script and timing, read from the tag it embeds in its MP3 recordings; no speech was recognised.';

/** What the stand-in says when it read the offline speech stand-in's tone code (tone-code.ts). */
export const TONE_CODE_NOTE =
  'Offline stand-in: the text was read from the offline speech stand-in\'s tone code found in the audio (dual tones, not speech); no speech was recognised.';

/** A WAV whose every sample stays below this (about -60 dBFS) is silence. */
const SILENT_PEAK = 0.001;

/** Whisper's limit, kept so that a file the real service would refuse is refused here too. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

export class TranscriptionRequestError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null) {
    super(message);
  }
}

const FORMATS = ['json', 'text', 'verbose_json'] as const;

/**
 * `POST /v1/audio/transcriptions` (multipart, as the SDK sends it). The offline model cannot hear.
 * It transcribes the simulator's recordings, whose MP3s carry their script (one segment per line,
 * with the rendering's start and end), and WAV audio holding the offline speech stand-in's tone code
 * (one segment per frame found). Any other audio is a 400 that says why.
 */
export async function transcribe(req: Request, res: Response): Promise<void> {
  const type = req.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type) || !Buffer.isBuffer(req.body)) {
    throw new TranscriptionRequestError(400, 'The transcriptions endpoint takes multipart/form-data with a `file` and a `model`.', null);
  }
  let form: FormData;
  try {
    form = await new Response(req.body, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new TranscriptionRequestError(400, 'The multipart body could not be parsed.', null);
  }
  const model = form.get('model');
  if (typeof model !== 'string' || model.length === 0) throw new TranscriptionRequestError(400, "Missing required parameter: 'model'.", 'model');
  const file = form.get('file');
  if (!file || typeof file === 'string') throw new TranscriptionRequestError(400, "Missing required parameter: 'file'.", 'file');
  const format = form.get('response_format') ?? 'json';
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
    throw new TranscriptionRequestError(400, `Invalid value for 'response_format': the offline stand-in answers ${FORMATS.join(', ')}.`, 'response_format');
  }
  const granularities = form.getAll('timestamp_granularities[]');
  if (granularities.some((g) => g !== 'segment' && g !== 'word')) {
    throw new TranscriptionRequestError(400, "Invalid value for 'timestamp_granularities': segment or word.", 'timestamp_granularities');
  }
  if (granularities.length > 0 && format !== 'verbose_json') {
    throw new TranscriptionRequestError(400, "timestamp_granularities needs response_format 'verbose_json'.", 'timestamp_granularities');
  }
  const heard = hear(Buffer.from(await file.arrayBuffer()));
  const segments = heard.segments.map((s, id) => ({
    id, seek: 0, start: s.start, end: s.end, text: ` ${s.text}`, tokens: [] as number[],
    temperature: 0, avg_logprob: 0, compression_ratio: 1, no_speech_prob: 0,
  }));
  const text = heard.segments.map((s) => s.text).join(' ');
  res.setHeader('x-switchboard-offline-rule', heard.rule);
  if (format === 'text') {
    res.type('text/plain').send(text);
    return;
  }
  if (format === 'json') {
    res.json({ text, x_switchboard_offline: heard.note });
    return;
  }
  res.json({
    task: 'transcribe',
    language: 'english',
    duration: segments.at(-1)?.end ?? 0,
    text,
    segments,
    ...(granularities.includes('word') ? { words: [] } : {}),
    x_switchboard_offline: heard.note,
  });
}

interface Heard {
  segments: { start: number; end: number; text: string }[];
  rule: 'simulator-script' | 'tone-code' | 'silence';
  note: string;
}

/** The words the stand-in can read in the file, or a 400 saying it cannot recognise speech. */
function hear(audio: Buffer): Heard {
  const script = readScriptTag(audio);
  if (script) return { segments: script.segments, rule: 'simulator-script', note: TRANSCRIPTION_STAND_IN_NOTE };
  if (looksLikeWav(audio)) {
    let pcm;
    try {
      pcm = readWav(audio);
    } catch (err) {
      if (err instanceof WavFormatError) throw new TranscriptionRequestError(400, `The WAV file could not be read: ${err.message}`, 'file');
      throw err;
    }
    // Silence is no words, as a recogniser would say, not audio it cannot read.
    if (pcm.samples.every((v) => Math.abs(v) < SILENT_PEAK)) return { segments: [], rule: 'silence', note: TONE_CODE_NOTE };
    const frames = decodeToneCode(pcm.samples, pcm.sampleRate);
    if (frames.length > 0) return { segments: frames, rule: 'tone-code', note: TONE_CODE_NOTE };
  }
  throw new TranscriptionRequestError(
    400,
    'The offline model cannot recognise speech: it transcribes only the carrier simulator\'s MP3 recordings, which carry their script, and WAV audio made by its own speech stand-in (a tone code). Configure OPENAI_API_KEY to transcribe real audio.',
    'file',
  );
}
