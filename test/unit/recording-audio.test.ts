import { renderRecording, type RecordedLine } from '../../src/simulator/carrier/recording-audio';

const conversation: RecordedLine[] = [
  { speaker: 'agent', text: 'Hi! I am calling to check on your day.' },
  { speaker: 'callee', text: 'Who is calling?' },
  { speaker: 'agent', text: 'Thank you for your time. Goodbye!' },
];

/** The chunks of a RIFF file after its 12-byte header. */
function chunks(wav: Buffer): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (let at = 12; at + 8 <= wav.length; ) {
    const size = wav.readUInt32LE(at + 4);
    found.set(wav.toString('ascii', at, at + 4), wav.subarray(at + 8, at + 8 + size));
    at += 8 + size + (size % 2);
  }
  return found;
}

/** MPEG audio frame header: 11 sync bits, then version, layer (01 = III), bitrate and rate indices. */
function mp3FrameHeader(mp3: Buffer) {
  const start = mp3.toString('ascii', 0, 3) === 'ID3' ? 10 + ((mp3[6]! << 21) | (mp3[7]! << 14) | (mp3[8]! << 7) | mp3[9]!) : 0;
  const h = mp3.readUInt32BE(start);
  return { sync: h >>> 21, version: (h >>> 19) & 3, layer: (h >>> 17) & 3, sampleRateIndex: (h >>> 10) & 3 };
}

describe('simulated call recordings', () => {
  const rendered = renderRecording(conversation);

  it('is a 8 kHz mono 16-bit PCM WAV whose header matches its data', () => {
    const { wav } = rendered;
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    const parts = chunks(wav);
    const fmt = parts.get('fmt ')!;
    expect(fmt.length).toBe(16);
    expect(fmt.readUInt16LE(0)).toBe(1); // PCM
    expect(fmt.readUInt16LE(2)).toBe(1); // channels
    expect(fmt.readUInt32LE(4)).toBe(8000);
    expect(fmt.readUInt32LE(8)).toBe(16_000); // byte rate
    expect(fmt.readUInt16LE(12)).toBe(2); // block align
    expect(fmt.readUInt16LE(14)).toBe(16);
    const data = parts.get('data')!;
    expect(data.length).toBe(wav.length - 44);
    expect(data.length % 2).toBe(0);
    expect(rendered.durationSeconds).toBe(Math.ceil(data.length / 2 / 8000));
  });

  it('carries sound, not silence, and the two speakers at different pitches', () => {
    const data = chunks(rendered.wav).get('data')!;
    const samples = Array.from({ length: data.length / 2 }, (_, i) => data.readInt16LE(i * 2));
    expect(Math.max(...samples.map(Math.abs))).toBeGreaterThan(5000);
    // Zero crossings per second estimate pitch: the agent's band sits above the callee's.
    const pitch = (speaker: RecordedLine['speaker']) => {
      const pcm = chunks(renderRecording([{ speaker, text: 'aaaaaaaaaa' }]).wav).get('data')!;
      let crossings = 0;
      for (let i = 2; i < pcm.length; i += 2) if (pcm.readInt16LE(i - 2) < 0 !== pcm.readInt16LE(i) < 0) crossings++;
      return crossings;
    };
    expect(pitch('agent')).toBeGreaterThan(pitch('callee') * 1.5);
  });

  it('grows with the text and caps very long lines', () => {
    const short = renderRecording([{ speaker: 'agent', text: 'Hello.' }]);
    const longer = renderRecording([{ speaker: 'agent', text: 'Hello. '.repeat(8) }, { speaker: 'callee', text: 'Sure, go ahead.' }]);
    expect(longer.wav.length).toBeGreaterThan(short.wav.length);
    expect(longer.durationSeconds).toBeGreaterThan(short.durationSeconds);
    const huge = renderRecording([{ speaker: 'callee', text: 'x'.repeat(100_000) }]);
    expect(huge.durationSeconds).toBeLessThanOrEqual(10);
  });

  it('renders an empty call as a valid file (the beep)', () => {
    const empty = renderRecording([]);
    expect(chunks(empty.wav).get('data')!.length).toBeGreaterThan(0);
    expect(empty.mp3.length).toBeGreaterThan(0);
  });

  it('is deterministic: same lines, same bytes', () => {
    const again = renderRecording(conversation.map((l) => ({ ...l })));
    expect(again.wav.equals(rendered.wav)).toBe(true);
    expect(again.mp3.equals(rendered.mp3)).toBe(true);
    expect(renderRecording([{ speaker: 'agent', text: 'Hi! I am calling to check on your dax.' }]).wav.equals(rendered.wav)).toBe(false);
  });

  it('encodes the same audio as MP3 with a valid frame header (MPEG-2.5 layer III, 8 kHz)', () => {
    const { mp3 } = rendered;
    expect(mp3.length).toBeGreaterThan(100);
    expect(mp3.length).toBeLessThan(rendered.wav.length);
    const header = mp3FrameHeader(mp3);
    expect(header.sync).toBe(0x7ff);
    expect(header.version).toBe(0); // MPEG 2.5
    expect(header.layer).toBe(1); // layer III
    expect(header.sampleRateIndex).toBe(2); // 8000 Hz in MPEG 2.5
    expect(mp3[0]).toBe(0xff);
    expect(mp3[1]! & 0xe0).toBe(0xe0);
  });

  it('renders at other sample rates and refuses ones MP3 cannot carry', () => {
    const wide = renderRecording(conversation, { sampleRate: 16000 });
    expect(chunks(wide.wav).get('fmt ')!.readUInt32LE(4)).toBe(16000);
    expect(wide.durationSeconds).toBe(rendered.durationSeconds);
    expect(mp3FrameHeader(wide.mp3).sync).toBe(0x7ff);
    expect(() => renderRecording(conversation, { sampleRate: 9000 })).toThrow(RangeError);
  });
});
