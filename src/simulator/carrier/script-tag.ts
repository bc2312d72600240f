/**
 * The simulator's recordings are tones, not speech, so no recogniser can hear their words. Each
 * MP3 recording therefore carries the script it was rendered from, with the rendering's own
 * timing, in an ID3v2.4 tag appended after the audio (a `TXXX` frame named
 * `switchboard-simulated-script`, footer included so readers find it from the end). Players skip
 * it; the offline model's transcription stand-in reads it and says that it did.
 */

export const SCRIPT_TAG_DESCRIPTION = 'switchboard-simulated-script';

export interface ScriptSegment {
  speaker: 'agent' | 'callee';
  /** The line as the simulated speaker said it (the tones carry at most its first 8 s). */
  text: string;
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
}

export interface EmbeddedScript {
  source: 'switchboard carrier simulator';
  segments: ScriptSegment[];
}

const synchsafe = (n: number): Buffer => Buffer.from([(n >>> 21) & 0x7f, (n >>> 14) & 0x7f, (n >>> 7) & 0x7f, n & 0x7f]);
const unsynchsafe = (b: Buffer, at: number): number => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);

/** An appended ID3v2.4 tag (header, one UTF-8 TXXX frame, footer) carrying `script` as JSON. */
export function scriptTag(script: EmbeddedScript): Buffer {
  const body = Buffer.concat([Buffer.from([3]), Buffer.from(`${SCRIPT_TAG_DESCRIPTION}\0`, 'utf8'), Buffer.from(JSON.stringify(script), 'utf8')]);
  const frame = Buffer.concat([Buffer.from('TXXX', 'ascii'), synchsafe(body.length), Buffer.from([0, 0]), body]);
  const head = (magic: string) => Buffer.concat([Buffer.from(magic, 'ascii'), Buffer.from([4, 0, 0x10]), synchsafe(frame.length)]);
  return Buffer.concat([head('ID3'), frame, head('3DI')]);
}

/** The script a simulator recording carries, or null when the file has no such tag (any other audio). */
export function readScriptTag(file: Buffer): EmbeddedScript | null {
  if (file.length < 20 || file.toString('ascii', file.length - 10, file.length - 7) !== '3DI') return null;
  const size = unsynchsafe(file, file.length - 4);
  const start = file.length - 10 - size;
  if (start < 10 || file.toString('ascii', start - 10, start - 7) !== 'ID3') return null;
  for (let at = start; at + 10 <= start + size; ) {
    const id = file.toString('ascii', at, at + 4);
    const length = unsynchsafe(file, at + 4);
    const body = file.subarray(at + 10, at + 10 + length);
    at += 10 + length;
    if (id !== 'TXXX' || body[0] !== 3) continue;
    const nul = body.indexOf(0, 1);
    if (nul < 0 || body.toString('utf8', 1, nul) !== SCRIPT_TAG_DESCRIPTION) continue;
    try {
      const parsed = JSON.parse(body.toString('utf8', nul + 1)) as EmbeddedScript;
      return Array.isArray(parsed.segments) ? parsed : null;
    } catch {
      return null; // a damaged tag is the same as none: the stand-in says it cannot transcribe the file
    }
  }
  return null;
}
