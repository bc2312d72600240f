import type { Response } from 'express';
import { z } from 'zod';
import { mp3File } from '../../audio/mp3';
import { int16FromFloat, pcm16Le, wavFromPcm16 } from '../../audio/wav';
import { encodeToneCode, TONE_CODE_NAME } from './tone-code';

/** OpenAI's speech voices and the formats this stand-in encodes (OpenAI's others: opus, aac, flac). */
const SPEECH_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'] as const;
export const speechSchema = z.looseObject({
  model: z.string().min(1),
  input: z.string().min(1).max(4096),
  voice: z.enum(SPEECH_VOICES),
  response_format: z.enum(['mp3', 'wav', 'pcm']).optional(),
  speed: z.number().min(0.25).max(4).optional(),
});

/** OpenAI's speech is 24 kHz mono; so is the stand-in's. */
const RATE = 24000;

/**
 * `POST /v1/audio/speech`: a labelled stand-in for a voice. The audio is real (it plays anywhere), but
 * it is the tone code of tone-code.ts, not speech: the text's bytes as dual tones, which the
 * transcription stand-in reads back from a WAV. Same text in, same bytes out; the voice and the
 * speed do not change the sound (the voice is echoed in a header).
 */
export function speak(body: z.output<typeof speechSchema>, res: Response): void {
  const pcm = int16FromFloat(encodeToneCode(body.input, RATE));
  const format = body.response_format ?? 'mp3';
  res.setHeader('x-switchboard-offline-speech', 'tone stand-in, not speech');
  res.setHeader('x-switchboard-offline-speech-code', TONE_CODE_NAME);
  res.setHeader('x-switchboard-offline-voice', body.voice);
  if (format === 'mp3') res.type('audio/mpeg').send(mp3File(pcm, RATE));
  else if (format === 'wav') res.type('audio/wav').send(wavFromPcm16(pcm16Le(pcm), RATE));
  else res.type('audio/pcm').send(pcm16Le(pcm));
}
