/**
 * The offline model's stand-in for a voice: a tone code, not speech. The speech stand-in renders a
 * text's UTF-8 bytes as dual tones (DTMF's four low and four high frequencies, one tone pair per
 * half-byte, 45 ms each with 25 ms of silence after), framed by a start and an end symbol on a fifth
 * high frequency, with a checksum byte before the end. The transcription stand-in finds that code
 * again in any PCM it is given (Goertzel filters over 20 ms windows), at any sample rate a browser or
 * a resampler chose, so audio the speech stand-in made, played into a microphone, is recognised back
 * to its exact text. Anything else, real speech included, has no frame in it and is not recognised.
 */

export const TONE_CODE_NAME = 'switchboard-tone-code/1';

const LOW = [697, 770, 852, 941] as const;
const HIGH = [1209, 1336, 1477, 1633, 1805] as const;
const MARKER_HIGH = 4;
/** Symbols 0-15 are half-bytes; the markers use the fifth high frequency. */
const START = LOW.length * MARKER_HIGH + 0;
const END = LOW.length * MARKER_HIGH + 3;
const symbolTones = (s: number): [number, number] => (s >= 16 ? [LOW[s - 16]!, HIGH[MARKER_HIGH]!] : [LOW[s >> 2]!, HIGH[s & 3]!]);
const symbolOf = (low: number, high: number): number => (high === MARKER_HIGH ? 16 + low : low * 4 + high);

const TONE_MS = 45;
const GAP_MS = 25;
const LEAD_MS = 200;
const FADE_MS = 4;
/** Each of the two tones; the pair peaks at 0.6 of full scale. */
const AMPLITUDE = 0.3;

/** The symbols of one frame: start, the bytes' half-bytes, a checksum byte, end. */
function frameSymbols(text: string): number[] {
  const bytes = Buffer.from(text, 'utf8');
  const sum = bytes.reduce((n, b) => (n + b) & 0xff, 0);
  const symbols = [START];
  for (const b of [...bytes, sum]) symbols.push(b >> 4, b & 15);
  symbols.push(END);
  return symbols;
}

/** How long `text` sounds when encoded, in seconds (lead-in and tail included). */
export function toneCodeSeconds(text: string): number {
  return (frameSymbols(text).length * (TONE_MS + GAP_MS) + 2 * LEAD_MS) / 1000;
}

/** The text as the tone code, mono samples in [-1, 1] at `sampleRate`. */
export function encodeToneCode(text: string, sampleRate: number): Float32Array {
  const samples = (ms: number) => Math.round((ms * sampleRate) / 1000);
  const symbols = frameSymbols(text);
  const tone = samples(TONE_MS);
  const step = tone + samples(GAP_MS);
  const lead = samples(LEAD_MS);
  const out = new Float32Array(2 * lead + symbols.length * step);
  const fade = Math.max(1, samples(FADE_MS));
  symbols.forEach((symbol, k) => {
    const [f1, f2] = symbolTones(symbol);
    const at = lead + k * step;
    for (let i = 0; i < tone; i++) {
      const edge = Math.min(1, i / fade, (tone - 1 - i) / fade);
      const t = i / sampleRate;
      out[at + i] = AMPLITUDE * edge * (Math.sin(2 * Math.PI * f1 * t) + Math.sin(2 * Math.PI * f2 * t));
    }
  });
  return out;
}

const WINDOW_MS = 20;
const HOP_MS = 5;
/** Mean square below this (about -50 dBFS) is silence. */
const SILENCE = 1e-5;
/** A symbol must hold for this many consecutive windows (a 45 ms tone fills six). */
const MIN_RUN = 3;
const SILENT = -1;
const OTHER = -2;

/** Share of the window's energy at `hz` (1 for a pure tone on that frequency). */
function goertzelShare(x: Float32Array, from: number, n: number, hz: number, rate: number, energy: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = x[from + i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * power) / (n * energy);
}

/** The strongest of `freqs` when it clearly stands out, else -1. */
function dominant(shares: number[]): number {
  let best = 0;
  shares.forEach((s, i) => {
    if (s > shares[best]!) best = i;
  });
  const top = shares[best]!;
  const second = Math.max(...shares.filter((_, i) => i !== best));
  return top >= 0.3 && second <= top * 0.3 ? best : -1;
}

function classify(x: Float32Array, from: number, n: number, rate: number): number {
  let energy = 0;
  for (let i = from; i < from + n; i++) energy += x[i]! * x[i]!;
  if (energy / n < SILENCE) return SILENT;
  const lows = LOW.map((f) => goertzelShare(x, from, n, f, rate, energy));
  const highs = HIGH.map((f) => goertzelShare(x, from, n, f, rate, energy));
  const low = dominant(lows);
  const high = dominant(highs);
  if (low < 0 || high < 0 || lows[low]! + highs[high]! < 0.75) return OTHER;
  return symbolOf(low, high);
}

interface HeardSymbol {
  symbol: number;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
}

/** The symbols heard, in order: runs of one symbol; a repeat needs silence between (the code's gaps). */
function heardSymbols(x: Float32Array, rate: number): HeardSymbol[] {
  const n = Math.round((WINDOW_MS * rate) / 1000);
  const hop = Math.max(1, Math.round((HOP_MS * rate) / 1000));
  const heard: HeardSymbol[] = [];
  let run = { label: SILENT, count: 0, from: 0 };
  let silentSinceLast = true;
  const close = (to: number) => {
    if (run.label < 0) {
      if (run.label === SILENT && run.count > 0) silentSinceLast = true;
      return;
    }
    if (run.count < MIN_RUN) return;
    const last = heard.at(-1);
    if (last && last.symbol === run.label && !silentSinceLast) last.end = to / rate;
    else heard.push({ symbol: run.label, start: run.from / rate, end: to / rate });
    silentSinceLast = false;
  };
  for (let at = 0; at + n <= x.length; at += hop) {
    const label = classify(x, at, n, rate);
    if (label === run.label) {
      run.count++;
      continue;
    }
    close(at + n - hop);
    run = { label, count: 1, from: at };
  }
  close(x.length);
  return heard;
}

export interface DecodedToneCode {
  text: string;
  /** Seconds from the start of the audio: the frame's start and end symbols. */
  start: number;
  end: number;
}

/** Bytes from half-bytes with the trailing checksum verified, as strict UTF-8; null when damaged. */
function frameText(nibbles: number[]): string | null {
  if (nibbles.length < 2 || nibbles.length % 2 !== 0) return null;
  const bytes: number[] = [];
  for (let i = 0; i < nibbles.length; i += 2) bytes.push((nibbles[i]! << 4) | nibbles[i + 1]!);
  const sum = bytes.pop()!;
  if (bytes.reduce((n, b) => (n + b) & 0xff, 0) !== sum) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/** Every complete, intact frame in the audio, in order (a looping source may hold the same one twice). */
export function decodeToneCode(samples: Float32Array, sampleRate: number): DecodedToneCode[] {
  const found: DecodedToneCode[] = [];
  let open: { start: number; nibbles: number[] } | null = null;
  for (const h of heardSymbols(samples, sampleRate)) {
    if (h.symbol === START) open = { start: h.start, nibbles: [] };
    else if (!open) continue;
    else if (h.symbol < 16) open.nibbles.push(h.symbol);
    else {
      const text = h.symbol === END ? frameText(open.nibbles) : null;
      if (text !== null) found.push({ text, start: open.start, end: h.end });
      open = null;
    }
  }
  return found;
}
