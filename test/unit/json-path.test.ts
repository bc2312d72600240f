import { extractJsonPath } from '../../src/net/json-path';

describe('extractJsonPath', () => {
  const body = {
    bpi: { USD: { rate: '9,000.00', rate_float: 9000 } },
    orders: [{ id: 'o-1', status: 'shipped' }, { id: 'o-2', status: 'pending' }],
    success: false,
  };

  it('reads dotted paths and array indices as the seed shows', () => {
    expect(extractJsonPath(body, '$.bpi.USD.rate')).toBe('9,000.00');
    expect(extractJsonPath(body, '$.orders[0].status')).toBe('shipped');
    expect(extractJsonPath(body, '$.success')).toBe(false);
  });

  it('reads paths written without the leading $', () => {
    expect(extractJsonPath(body, 'bpi.USD.rate_float')).toBe(9000);
    expect(extractJsonPath(body.orders, '[1].id')).toBe('o-2');
  });

  it('gives several matches as an array and no match as undefined', () => {
    expect(extractJsonPath(body, '$.orders[*].id')).toEqual(['o-1', 'o-2']);
    expect(extractJsonPath(body, '$.nothing.here')).toBeUndefined();
  });

  it('never evaluates script expressions', () => {
    const globalFlag = globalThis as unknown as { __jp?: number };
    delete globalFlag.__jp;
    const result = extractJsonPath(body, '$.orders[?(@.status == "shipped" && (globalThis.__jp = 1))].id');
    expect(globalFlag.__jp).toBeUndefined();
    expect(result).toBeUndefined();
  });

  it('reads only the root of a scalar body and survives malformed paths', () => {
    expect(extractJsonPath('plain text', '$')).toBe('plain text');
    expect(extractJsonPath('plain text', '$.a')).toBeUndefined();
    expect(extractJsonPath(body, '')).toBeUndefined();
  });
});
