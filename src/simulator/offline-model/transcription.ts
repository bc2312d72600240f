import type { Request, Response } from 'express';
import { readScriptTag } from '../carrier/script-tag';

/** What the stand-in says about every transcription it returns. */
export const TRANSCRIPTION_STAND_IN_NOTE =
  'Offline stand-in: the segments are the carrier simulator\'s own script and timing, read from the tag it embeds in its MP3 recordings; no speech was recognised.';

/** Whisper's limit, kept so that a file the real service would refuse is refused here too. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

export class TranscriptionRequestError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null) {
    super(message);
  }
}

const FORMATS = ['json', 'text', 'verbose_json'] as const;

/**
 * `POST /v1/audio/transcriptions` (multipart, as the SDK sends it). The offline model cannot hear,
 * so it only transcribes the simulator's recordings, whose MP3s carry their script: one segment per
 * line, with the rendering's start and end. Any other audio is a 400 that says why.
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
  const audio = Buffer.from(await file.arrayBuffer());
  const script = readScriptTag(audio);
  if (!script) {
    throw new TranscriptionRequestError(
      400,
      'The offline model cannot recognise speech: it transcribes only the carrier simulator\'s MP3 recordings, which carry their script. Configure OPENAI_API_KEY to transcribe real audio.',
      'file',
    );
  }
  const segments = script.segments.map((s, id) => ({
    id, seek: 0, start: s.start, end: s.end, text: ` ${s.text}`, tokens: [] as number[],
    temperature: 0, avg_logprob: 0, compression_ratio: 1, no_speech_prob: 0,
  }));
  const text = script.segments.map((s) => s.text).join(' ');
  res.setHeader('x-switchboard-offline-rule', 'simulator-script');
  if (format === 'text') {
    res.type('text/plain').send(text);
    return;
  }
  if (format === 'json') {
    res.json({ text, x_switchboard_offline: TRANSCRIPTION_STAND_IN_NOTE });
    return;
  }
  res.json({
    task: 'transcribe',
    language: 'english',
    duration: segments.at(-1)?.end ?? 0,
    text,
    segments,
    ...(granularities.includes('word') ? { words: [] } : {}),
    x_switchboard_offline: TRANSCRIPTION_STAND_IN_NOTE,
  });
}
