import { jsonBodyProblem, MAX_JSON_DEPTH } from '../../api/middleware/json-body';

const check = (text: string) => jsonBodyProblem(Buffer.from(text, 'utf8'));

describe('request body pre-checks', () => {
  it('passes ordinary bodies, with brackets, escapes and numbers inside strings', () => {
    expect(check('{"a":[1,2,{"b":"[[[{{{\\\\u0000\\"]]"}],"n":-1.5e10,"big":1e308}')).toBeNull();
    expect(check('[' .repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeNull();
  });

  it('refuses nesting deeper than the limit, without recursion, even at depth 100,000', () => {
    expect(check('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toMatch(/nested deeper than 64 levels/);
    expect(check('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000))).toMatch(/nested deeper/);
  });

  it('refuses a NUL escape in a key or a value', () => {
    expect(check('{"a\\u0000b":1}')).toMatch(/NUL character/);
    expect(check('{"a":"x\\u0000"}')).toMatch(/NUL character/);
    // An escaped backslash followed by "u0000" is six ordinary characters.
    expect(check('{"a":"\\\\u0000"}')).toBeNull();
  });

  it('refuses numbers too large for a double', () => {
    expect(check('{"max_duration":1e309}')).toMatch(/number out of range: 1e309/);
    expect(check('[-1E400]')).toMatch(/out of range/);
    expect(check(`[${'9'.repeat(400)}]`)).toMatch(/out of range/);
  });
});
