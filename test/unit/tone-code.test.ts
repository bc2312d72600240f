import { decodeToneCode, encodeToneCode, toneCodeSeconds } from '../../src/simulator/offline-model/tone-code';
import { renderRecording } from '../../src/simulator/carrier/recording-audio';
import { pcm16FromFloat, readWav, wavFromPcm16 } from '../../src/audio/wav';

/** Linear-interpolation resampling, as a browser's audio graph would change the rate (no filtering). */
function resample(x: Float32Array, from: number, to: number): Float32Array {
  const out = new Float32Array(Math.floor((x.length * to) / from));
  for (let i = 0; i < out.length; i++) {
    const pos = (i * from) / to;
    const k = Math.floor(pos);
    const frac = pos - k;
    out[i] = (x[k] ?? 0) * (1 - frac) + (x[k + 1] ?? 0) * frac;
  }
  return out;
}

/** A deterministic pseudo-random source, so a failure can be replayed. */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Voiced speech's shape without words: a wandering pitch with many harmonics, syllable envelopes and breath noise. */
function speechLike(seconds: number, rate: number): Float32Array {
  const rnd = noise(7);
  const x = new Float32Array(Math.round(seconds * rate));
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / rate;
    const pitch = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t) + 15 * Math.sin(2 * Math.PI * 3.1 * t);
    phase += (2 * Math.PI * pitch) / rate;
    let v = 0;
    for (let h = 1; h <= 25; h++) v += Math.sin(h * phase) / h;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
    x[i] = 0.2 * syllable * v + 0.02 * rnd();
  }
  return x;
}

const SENTENCE = 'I would like to book a table for two, please.';

describe('the offline tone code', () => {
  it('round-trips text through 24 kHz audio, also after resampling to the rates browsers use', () => {
    const audio = encodeToneCode(SENTENCE, 24000);
    expect(audio.length / 24000).toBeCloseTo(toneCodeSeconds(SENTENCE), 2);
    expect(decodeToneCode(audio, 24000).map((d) => d.text)).toEqual([SENTENCE]);
    for (const rate of [8000, 16000, 44100, 48000]) {
      expect([rate, decodeToneCode(resample(audio, 24000, rate), rate).map((d) => d.text)]).toEqual([rate, [SENTENCE]]);
    }
  });

  it('keeps any UTF-8 text, repeated characters and an empty line', () => {
    for (const text of ['Zoë says: ¿qué tal? 日本語 ✓', 'aaaa    1111', '']) {
      expect(decodeToneCode(encodeToneCode(text, 16000), 16000).map((d) => d.text)).toEqual([text]);
    }
  });

  it('survives PCM16 and a WAV file, quieter playback, an offset and background noise', () => {
    const audio = encodeToneCode(SENTENCE, 24000);
    const rnd = noise(1);
    const played = resample(audio, 24000, 16000).map((v) => 0.4 * v + 0.01 * rnd());
    const shifted = new Float32Array(played.length + 1234);
    shifted.set(played, 1234);
    const wav = readWav(wavFromPcm16(pcm16FromFloat(shifted), 16000));
    expect(wav.sampleRate).toBe(16000);
    const [found] = decodeToneCode(wav.samples, wav.sampleRate);
    expect(found?.text).toBe(SENTENCE);
    expect(found!.start).toBeGreaterThan(0.2);
    expect(found!.end).toBeLessThanOrEqual(shifted.length / 16000);
  });

  it('finds the whole frame in a looping capture that starts mid-sentence', () => {
    const audio = resample(encodeToneCode(SENTENCE, 24000), 24000, 16000);
    const loop = new Float32Array(audio.length * 3);
    for (let i = 0; i < loop.length; i++) loop[i] = audio[(i + Math.floor(audio.length / 3)) % audio.length]!;
    expect(decodeToneCode(loop, 16000).map((d) => d.text)).toEqual([SENTENCE, SENTENCE]);
  });

  it('recognises nothing in speech-like sound, noise, silence, the carrier recordings or a damaged frame', () => {
    const rnd = noise(3);
    const white = new Float32Array(32000).map(() => 0.5 * rnd());
    const recording = readWav(renderRecording([{ speaker: 'agent', text: SENTENCE }], { sampleRate: 16000 }).wav);
    expect(decodeToneCode(speechLike(4, 16000), 16000)).toEqual([]);
    expect(decodeToneCode(white, 16000)).toEqual([]);
    expect(decodeToneCode(new Float32Array(16000), 16000)).toEqual([]);
    expect(decodeToneCode(recording.samples, recording.sampleRate)).toEqual([]);
    // A cut in the middle (the end symbol and the checksum survive) breaks the checksum or the framing.
    const audio = encodeToneCode(SENTENCE, 16000);
    const cut = new Float32Array(audio.length);
    cut.set(audio);
    cut.fill(0, Math.floor(audio.length * 0.4), Math.floor(audio.length * 0.4) + 1120);
    expect(decodeToneCode(cut, 16000)).toEqual([]);
    // Speech over the code drowns it: nothing half-heard is made up.
    const speech = speechLike(audio.length / 16000, 16000);
    expect(decodeToneCode(audio.map((v, i) => 0.2 * v + 3 * speech[i]!), 16000)).toEqual([]);
  });
});

describe('WAV files', () => {
  it('wraps PCM16LE as mono 16-bit WAV and reads it back', () => {
    const pcm = pcm16FromFloat(Float32Array.from([0, 0.5, -0.5, 1, -1]));
    const wav = wavFromPcm16(pcm, 16000);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt32LE(40)).toBe(pcm.length);
    const back = readWav(wav);
    expect(Array.from(back.samples).map((v) => Math.round(v * 100) / 100)).toEqual([0, 0.5, -0.5, 1, -1]);
    // An odd trailing byte is not half a sample.
    expect(readWav(wavFromPcm16(Buffer.concat([pcm, Buffer.from([7])]), 8000)).samples.length).toBe(5);
  });

  it('mixes stereo to mono, reads float and streamed (size 0) WAVs, and refuses what it cannot read', () => {
    const header = (format: number, channels: number, bits: number, dataSize: number) => {
      const h = wavFromPcm16(Buffer.alloc(0), 8000);
      h.writeUInt16LE(format, 20);
      h.writeUInt16LE(channels, 22);
      h.writeUInt16LE(bits, 34);
      h.writeUInt32LE(dataSize, 40);
      return h;
    };
    const stereo = Buffer.alloc(4);
    stereo.writeInt16LE(16384, 0);
    stereo.writeInt16LE(0, 2);
    expect(Array.from(readWav(Buffer.concat([header(1, 2, 16, 4), stereo])).samples)).toEqual([0.25]);
    const float = Buffer.alloc(8);
    float.writeFloatLE(0.75, 0);
    float.writeFloatLE(-0.25, 4);
    expect(Array.from(readWav(Buffer.concat([header(3, 1, 32, 0), float])).samples)).toEqual([0.75, -0.25]);
    expect(() => readWav(Buffer.from('ID3 not a wav file'))).toThrow('Not a RIFF/WAVE file.');
    expect(() => readWav(Buffer.concat([header(2, 1, 4, 4), Buffer.alloc(4)]))).toThrow(/Unsupported WAV encoding/);
    expect(() => readWav(header(1, 1, 16, 0).subarray(0, 36))).toThrow(/no data chunk/);
    expect(() => wavFromPcm16(Buffer.alloc(2), 0)).toThrow(RangeError);
  });
});
