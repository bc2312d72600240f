import { parseAllowList } from '../../src/net/allow-list';
import { RESERVED_TOOL_WORDS, reservedWordIn, validateToolDefinition } from '../../src/tools/tool-definition';

const closed = { allowList: parseAllowList('') };
const local = { allowList: parseAllowList('127.0.0.1:8080,localhost:8080') };
const base = { name: 'BookAppointment', description: 'Books an appointment', url: 'https://api.example.com/book' };

describe('custom tool definitions', () => {
  it('normalises a minimal tool with the seed defaults', () => {
    const r = validateToolDefinition(base, closed);
    expect(r).toEqual({
      ok: true,
      spec: { toolId: null, ...base, method: 'GET', headers: {}, query: {}, body: null, inputSchema: null, speech: null, response: {}, timeoutMs: 10000 },
    });
  });

  it('refuses every reserved word anywhere in the name, in any case', () => {
    for (const word of RESERVED_TOOL_WORDS) {
      const r = validateToolDefinition({ ...base, name: `My${word.toUpperCase()}Tool` }, closed);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]).toContain(`reserved word "${word}"`);
    }
    expect(reservedWordIn('BookAppointment')).toBeUndefined();
    expect(reservedWordIn('DisplayMenu')).toBe('play');
  });

  it('refuses the built-in function names', () => {
    const r = validateToolDefinition({ ...base, name: 'end_call' }, closed);
    expect(r.ok).toBe(false);
  });

  it('accepts http and private addresses only where the allow-list names them', () => {
    expect(validateToolDefinition({ ...base, url: 'http://127.0.0.1:8080/x' }, local).ok).toBe(true);
    expect(validateToolDefinition({ ...base, url: 'http://localhost:8080/x' }, local).ok).toBe(true);
    expect(validateToolDefinition({ ...base, url: 'http://127.0.0.1:8080/x' }, closed).ok).toBe(false);
    expect(validateToolDefinition({ ...base, url: 'https://127.0.0.1/x' }, closed).ok).toBe(false);
    // A listed host name does not open cloud metadata.
    expect(validateToolDefinition({ ...base, url: 'https://169.254.169.254/' }, local).ok).toBe(false);
  });

  it('allows placeholders in the URL path but checks the host', () => {
    expect(validateToolDefinition({ ...base, url: 'https://api.example.com/users/{{input.id}}?x={{call_id}}' }, closed).ok).toBe(true);
    expect(validateToolDefinition({ ...base, url: 'ftp://api.example.com/x' }, closed).ok).toBe(false);
  });

  it('merges response and response_data into one map', () => {
    const r = validateToolDefinition({ ...base, response: { a: '$.a' }, response_data: [{ name: 'b', data: '$.b.c' }] }, closed);
    expect(r.ok && r.spec.response).toEqual({ a: '$.a', b: '$.b.c' });
  });

  it('lists every problem at once, prefixed with the label', () => {
    const r = validateToolDefinition({ url: 5, method: 'DELETE', timeout: -1, body: 7 }, closed, 'tools[2]');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.every((e) => e.startsWith('tools[2]: '))).toBe(true);
      expect(r.errors).toHaveLength(6);
    }
  });

  it('refuses keys the store cannot hold', () => {
    const r = validateToolDefinition({ ...base, headers: { 'x.y': '1' } }, closed);
    expect(r.ok).toBe(false);
  });
});
