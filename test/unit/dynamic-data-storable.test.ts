import { storable } from '../../src/db/storable-keys';

describe('storable variables', () => {
  it("replaces '.' and a leading '$' in keys at any depth, keeping values", () => {
    expect(storable({ 'a.b': 1, $c: { 'd.e': [{ $f: 'x.y' }] }, ok: null })).toEqual({ a_b: 1, _c: { d_e: [{ _f: 'x.y' }] }, ok: null });
    expect(storable('text')).toBe('text');
  });
});
