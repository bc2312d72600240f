import { MP3_RATES, mp3File } from '../../audio/mp3';
import { pcm16Le, wavFromPcm16 } from '../../audio/wav';
import { scriptTag, type ScriptSegment } from './script-tag';

/**
 * A real audio file for a simulated call's recording, so clients that download recordings get
 * bytes any player opens: a beep, then every line as a tone sequence (one tone per character, agent
 * and callee in different pitch bands, spaces as short pauses), lines separated by silence. It
 * stands in for speech; it is not speech. Same lines in, same bytes out.
 */
export interface RecordedLine {
  speaker: 'agent' | 'callee';
  text: string;
}

export interface RenderedRecording {
  /** 16-bit PCM, mono, RIFF/WAVE. */
  wav: Buffer;
  /**
   * The same PCM as MP3 (MPEG-2.5 layer III at 8 kHz). Encoded on first read and kept: encoding
   * takes ~20 ms per second of audio, and most simulated recordings are never downloaded. Its
   * appended ID3 tag carries the lines and their timing (script-tag.ts).
   */
  readonly mp3: Buffer;
  /** Whole seconds, rounded up, as Twilio's RecordingDuration. */
  durationSeconds: number;
}

const MS_PER_CHAR = 60;
const MAX_LINE_MS = 8000;
const GAP_MS = 300;
const BEEP = { hz: 1000, ms: 200 };
const BANDS = { agent: { base: 600, step: 15 }, callee: { base: 220, step: 10 } };
const FADE_MS = 5;
const AMPLITUDE = 9000;

/** Writes a tone with short fades at both ends (no clicks); returns the next offset. */
function tone(pcm: Int16Array, at: number, count: number, hz: number, rate: number): number {
  const fade = Math.max(1, Math.round((FADE_MS * rate) / 1000));
  for (let i = 0; i < count; i++) {
    const edge = Math.min(1, i / fade, (count - 1 - i) / fade);
    pcm[at + i] = Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * AMPLITUDE * edge);
  }
  return at + count;
}

export function renderRecording(lines: readonly RecordedLine[], opts: { sampleRate?: number } = {}): RenderedRecording {
  const rate = opts.sampleRate ?? 8000;
  if (!MP3_RATES.has(rate)) throw new RangeError(`Unsupported sample rate ${rate}.`);
  const samples = (ms: number) => Math.round((ms * rate) / 1000);
  const perChar = samples(MS_PER_CHAR);
  const maxChars = Math.floor(MAX_LINE_MS / MS_PER_CHAR);
  const texts = lines.map((l) => [...l.text.trim()].slice(0, maxChars));
  const total = samples(BEEP.ms) + samples(GAP_MS) + texts.reduce((n, t) => n + t.length * perChar + samples(GAP_MS), 0);

  const pcm = new Int16Array(total);
  let at = tone(pcm, 0, samples(BEEP.ms), BEEP.hz, rate) + samples(GAP_MS);
  const segments: ScriptSegment[] = [];
  const seconds = (sample: number) => Math.round((sample / rate) * 1000) / 1000;
  lines.forEach((line, i) => {
    const band = BANDS[line.speaker];
    const start = at;
    for (const ch of texts[i] ?? []) {
      const code = ch.codePointAt(0) ?? 0;
      at = /\s/.test(ch) ? at + perChar : tone(pcm, at, perChar, band.base + (code % 32) * band.step, rate);
    }
    if (at > start) segments.push({ speaker: line.speaker, text: line.text.trim(), start: seconds(start), end: seconds(at) });
    at += samples(GAP_MS);
  });
  let mp3: Buffer | undefined;
  return {
    wav: wavFromPcm16(pcm16Le(pcm), rate),
    get mp3() {
      return (mp3 ??= Buffer.concat([mp3File(pcm, rate), scriptTag({ source: 'switchboard carrier simulator', segments })]));
    },
    durationSeconds: Math.ceil(total / rate),
  };
}
