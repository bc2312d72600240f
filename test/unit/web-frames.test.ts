import { frameRateLimiter, parseClientFrame, WEB_LIMITS } from '../../api/web-channel/frames';
import { agentCallBody } from '../../api/web-channel/sessions';
import { AGENT_DEFAULTS } from '../../src/agents/agent-fields';
import type { AgentDoc } from '../../src/agents/types';

describe('browser channel frames', () => {
  it('accepts every client frame of the protocol', () => {
    expect(parseClientFrame('{"type":"message","text":"Hello"}')).toEqual({ ok: true, frame: { type: 'message', text: 'Hello' } });
    expect(parseClientFrame('{"type":"message","text":"Hi","speak":true}')).toEqual({ ok: true, frame: { type: 'message', text: 'Hi', speak: true } });
    expect(parseClientFrame('{"type":"audio_start","sample_rate":16000}')).toEqual({ ok: true, frame: { type: 'audio_start', sample_rate: 16000 } });
    for (const type of ['audio_end', 'end', 'ping']) expect(parseClientFrame(JSON.stringify({ type }))).toEqual({ ok: true, frame: { type } });
  });

  it.each([
    ['not JSON', '{"type":', 'A frame must be a JSON object.'],
    ['a JSON string', '"hello"', 'A frame must be a JSON object.'],
    ['a JSON array', '[{"type":"ping"}]', 'A frame must be a JSON object.'],
    ['an unknown type', '{"type":"shout","text":"x"}', 'type must be one of'],
    ['no type', '{"text":"x"}', 'type must be one of'],
    ['text of the wrong type', '{"type":"message","text":42}', 'text:'],
    ['an empty text', '{"type":"message","text":""}', 'text: must not be empty'],
    ['a blank text', '{"type":"message","text":"  \\n "}', 'text: must not be empty'],
    ['a too long text', JSON.stringify({ type: 'message', text: 'x'.repeat(WEB_LIMITS.maxMessageChars + 1) }), `at most ${WEB_LIMITS.maxMessageChars} characters`],
    ['speak of the wrong type', '{"type":"message","text":"x","speak":"yes"}', 'speak:'],
    ['a sample rate out of range', '{"type":"audio_start","sample_rate":1000}', 'sample_rate:'],
    ['a fractional sample rate', '{"type":"audio_start","sample_rate":16000.5}', 'sample_rate:'],
    ['a missing sample rate', '{"type":"audio_start"}', 'sample_rate:'],
  ])('refuses %s with a clear message', (_what, text, words) => {
    const out = parseClientFrame(text);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.message).toContain(words);
  });

  it('admits a burst, then the steady rate, and refuses a flood', () => {
    let now = 0;
    const admit = frameRateLimiter(() => now, 10, 5);
    const burst = Array.from({ length: 8 }, () => admit());
    expect(burst).toEqual([true, true, true, true, true, false, false, false]);
    now += 100; // one frame's worth at 10 a second
    expect(admit()).toBe(true);
    expect(admit()).toBe(false);
    now += 10_000; // refills to the burst, no more
    expect(Array.from({ length: 6 }, () => admit()).filter(Boolean)).toHaveLength(5);
  });
});

describe('an agent as a call body', () => {
  const agent = (over: Partial<AgentDoc>): AgentDoc => ({
    ...AGENT_DEFAULTS, _id: 'a1', org_id: 'o1', created_at: new Date(0), updated_at: new Date(0), ...over,
  });

  it('carries the fields a call resolves, language as a BCP-47 tag, and no model tier', () => {
    const body = agentCallBody(agent({
      prompt: 'Help.', first_sentence: 'Hi {{name}}', voice: 'maya', language: 'GER', model: 'turbo', tools: ['TL-1'],
      dynamic_data: [{ url: 'https://x' }], metadata: { k: 1 }, analysis_schema: { a: 'string' }, webhook: 'https://hook', max_duration: 2, keywords: ['x'],
    }));
    expect(body).toEqual({
      task: 'Help.', first_sentence: 'Hi {{name}}', voice: 'maya', language: 'de-DE', tools: ['TL-1'], dynamic_data: [{ url: 'https://x' }],
      metadata: { k: 1 }, analysis_schema: { a: 'string' }, webhook: 'https://hook', max_duration: 2, keywords: ['x'],
    });
  });

  it('with a pathway, leaves out what the pathway overrides', () => {
    const body = agentCallBody(agent({ pathway_id: 'p1', prompt: 'unused', first_sentence: 'unused', tools: ['TL-1'] }));
    expect(body).toMatchObject({ pathway_id: 'p1', tools: [], dynamic_data: [] });
    expect(body).not.toHaveProperty('task');
    expect(body).not.toHaveProperty('first_sentence');
  });
});
