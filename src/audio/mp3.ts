import { readFileSync } from 'node:fs';

/** MP3 encoding (MPEG layer III) of mono PCM16, through @breezystack/lamejs. */

interface Mp3Encoder {
  encodeBuffer(left: Int16Array): Int8Array | Uint8Array;
  flush(): Int8Array | Uint8Array;
}
type Lame = { Mp3Encoder: new (channels: number, sampleRate: number, kbps: number) => Mp3Encoder };
let lame: Lame | undefined;

/** The sample rates an MP3 can have. */
export const MP3_RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]);

/**
 * @breezystack/lamejs has `"type": "module"`, yet its `require` entry is an IIFE bundle, so
 * `require()` hands back an empty module (and jest cannot load its ESM entry). The bundle only
 * declares `var lamejs`, so it is evaluated as a function body that returns that variable.
 */
function loadLame(): Lame {
  if (!lame) {
    const source = readFileSync(require.resolve('@breezystack/lamejs'), 'utf8');
    lame = new Function(`${source}\nreturn lamejs;`)() as Lame;
  }
  return lame;
}

/** Mono PCM16 samples as an MP3 (16 kbps below 32 kHz, 64 kbps from there). */
export function mp3File(pcm: Int16Array, rate: number): Buffer {
  if (!MP3_RATES.has(rate)) throw new RangeError(`Unsupported sample rate ${rate}.`);
  const encoder = new (loadLame().Mp3Encoder)(1, rate, rate < 32000 ? 16 : 64);
  const chunks: Buffer[] = [];
  const FRAME = 1152;
  for (let i = 0; i < pcm.length; i += FRAME) {
    const out = encoder.encodeBuffer(pcm.subarray(i, i + FRAME));
    if (out.length > 0) chunks.push(Buffer.from(out.buffer, out.byteOffset, out.length));
  }
  const tail = encoder.flush();
  if (tail.length > 0) chunks.push(Buffer.from(tail.buffer, tail.byteOffset, tail.length));
  return Buffer.concat(chunks);
}
