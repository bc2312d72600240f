/**
 * RIFF/WAVE with 16-bit PCM: what the browser channel sends to speech recognition (its microphone
 * audio arrives as PCM16LE) and what the offline model's stand-ins write and read.
 */

export interface PcmAudio {
  /** Mono samples in [-1, 1] (several channels are averaged). */
  samples: Float32Array;
  sampleRate: number;
}

/** The file is not a WAV this reader takes (only PCM 8/16/24/32-bit integer and 32-bit float). */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/** A RIFF/WAVE file around PCM16LE mono bytes, as they are (no copy of the samples' meaning). */
export function wavFromPcm16(pcm: Buffer, sampleRate: number): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 192_000) throw new RangeError(`Unsupported sample rate ${sampleRate}.`);
  const data = pcm.length % 2 === 0 ? pcm : pcm.subarray(0, pcm.length - 1);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Float samples in [-1, 1] as 16-bit integers (clipped, rounded). */
export function int16FromFloat(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (s) => Math.round(Math.max(-1, Math.min(1, s)) * 32767));
}

/** 16-bit samples as little-endian bytes, whatever the host's byte order. */
export function pcm16Le(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length * 2);
  pcm.forEach((s, i) => out.writeInt16LE(s, i * 2));
  return out;
}

/** Float samples in [-1, 1] as PCM16LE bytes. */
export function pcm16FromFloat(samples: Float32Array): Buffer {
  return pcm16Le(int16FromFloat(samples));
}

/** True when the bytes open like a RIFF/WAVE file. */
export function looksLikeWav(file: Buffer): boolean {
  return file.length >= 12 && file.toString('ascii', 0, 4) === 'RIFF' && file.toString('ascii', 8, 12) === 'WAVE';
}

function sampleReader(format: number, bits: number): ((b: Buffer, at: number) => number) | null {
  if (format === 3 && bits === 32) return (b, at) => b.readFloatLE(at);
  if (format !== 1) return null;
  if (bits === 8) return (b, at) => (b[at]! - 128) / 128;
  if (bits === 16) return (b, at) => b.readInt16LE(at) / 32768;
  if (bits === 24) return (b, at) => b.readIntLE(at, 3) / 8388608;
  if (bits === 32) return (b, at) => b.readInt32LE(at) / 2147483648;
  return null;
}

/** Reads a WAV file's samples (mono mix). Throws WavFormatError for anything else. */
export function readWav(file: Buffer): PcmAudio {
  if (!looksLikeWav(file)) throw new WavFormatError('Not a RIFF/WAVE file.');
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  for (let at = 12; at + 8 <= file.length; ) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    // A streamed WAV may say 0 or 0xffffffff for its data size: the data is then the rest of the file.
    const end = id === 'data' && (size === 0 || at + 8 + size > file.length) ? file.length : Math.min(file.length, at + 8 + size);
    const body = file.subarray(at + 8, end);
    if (id === 'fmt ' && body.length >= 16) {
      let format = body.readUInt16LE(0);
      // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes are the format code.
      if (format === 0xfffe && body.length >= 26) format = body.readUInt16LE(24);
      fmt = { format, channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('The WAV file has no fmt chunk before its data.');
      const read = sampleReader(fmt.format, fmt.bits);
      if (!read || fmt.channels < 1 || fmt.rate < 1000) throw new WavFormatError(`Unsupported WAV encoding (format ${fmt.format}, ${fmt.bits} bits, ${fmt.channels} channels).`);
      const width = fmt.bits / 8;
      const frame = width * fmt.channels;
      const count = Math.floor(body.length / frame);
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        let sum = 0;
        for (let c = 0; c < fmt.channels; c++) sum += read(body, i * frame + c * width);
        samples[i] = sum / fmt.channels;
      }
      return { samples, sampleRate: fmt.rate };
    }
    at += 8 + size + (size % 2);
  }
  throw new WavFormatError('The WAV file has no data chunk.');
}
