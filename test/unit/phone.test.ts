import { mask, parsePhoneNumber, shortNumber } from '../../src/phone';

/** Seed 003, Send Call (Simple), "Formatting Examples". */
describe('parsePhoneNumber: the seed rules', () => {
  it.each(['+12223334444', '+91223334444', '+61223334444'])('accepts the ideal E.164 form %s as recommended', (raw) => {
    const parsed = parsePhoneNumber(raw);
    expect(parsed).toMatchObject({ ok: true, e164: raw, recommended: true });
  });

  it('reports the country of an E.164 number when the number plan names one', () => {
    expect(parsePhoneNumber('+91223334444')).toMatchObject({ ok: true, country: 'IN' });
    expect(parsePhoneNumber('+61223334444')).toMatchObject({ ok: true, country: 'AU' });
    expect(parsePhoneNumber('+14155550123')).toMatchObject({ ok: true, country: 'US' });
  });

  it.each(['2223334444', '+1 (222) 333-4444', '+1 222 333 4444', '222-333-4444'])(
    'accepts "%s" as valid but not recommended, normalised to E.164',
    (raw) => {
      expect(parsePhoneNumber(raw)).toMatchObject({ ok: true, e164: '+12223334444', recommended: false });
    },
  );

  it.each(['12223334444', '552223334444', 'non-numeric characters', '2223334444 ext. 123'])('refuses "%s"', (raw) => {
    const parsed = parsePhoneNumber(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/^Invalid phone number/);
  });

  it.each([
    ['an object', {}],
    ['an array', ['+12223334444']],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
  ])('refuses %s with the seed message', (_label, raw) => {
    expect(parsePhoneNumber(raw)).toEqual({ ok: false, reason: 'Phone number must be a string or number.' });
  });

  it('refuses empty, blank and absurdly long strings', () => {
    for (const raw of ['', '   ', `+1${'2'.repeat(40)}`]) expect(parsePhoneNumber(raw).ok).toBe(false);
  });

  it('trims surrounding whitespace and still calls the E.164 form recommended', () => {
    expect(parsePhoneNumber('  +12223334444 ')).toMatchObject({ ok: true, e164: '+12223334444', recommended: true });
  });

  it('accepts other common US formatting as not recommended', () => {
    for (const raw of ['(222) 333-4444', '+1-222-333-4444', '222.333.4444']) {
      expect(parsePhoneNumber(raw)).toMatchObject({ ok: true, e164: '+12223334444', recommended: false });
    }
  });

  it('refuses a US national number that starts with 0 or 1 (not a NANP area code)', () => {
    expect(parsePhoneNumber('1223334444').ok).toBe(false);
    expect(parsePhoneNumber('0223334444').ok).toBe(false);
  });

  it('refuses a "+" number with a leading zero country code or too many digits', () => {
    expect(parsePhoneNumber('+0223334444').ok).toBe(false);
    expect(parsePhoneNumber('+1222333444455556').ok).toBe(false);
  });
});

describe('parsePhoneNumber: numbers as JS numbers', () => {
  it('accepts a 10-digit US number given as a number, as not recommended', () => {
    expect(parsePhoneNumber(2223334444)).toMatchObject({ ok: true, e164: '+12223334444', recommended: false });
  });

  it('applies the same rules as the string form (country code without "+" is refused)', () => {
    expect(parsePhoneNumber(12223334444).ok).toBe(false);
    expect(parsePhoneNumber(552223334444).ok).toBe(false);
  });

  it('refuses non-integer and non-finite numbers', () => {
    for (const raw of [2223334444.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(parsePhoneNumber(raw).ok).toBe(false);
    }
  });

  // BUG (src/phone.ts:15/19): String(-2223334444) is "-2223334444", and the "-" is then stripped as formatting.
  it('refuses a negative number', () => {
    expect(parsePhoneNumber(-2223334444).ok).toBe(false);
  });
});

describe('refusal messages never echo the full number', () => {
  it('masks the digits of an invalid number in the reason', () => {
    const parsed = parsePhoneNumber('12223334444');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).not.toContain('12223334444');
      expect(parsed.reason).not.toContain('1222333');
      expect(parsed.reason).toContain('4444');
    }
  });
});

describe('mask', () => {
  it('hides every digit but the last four and keeps the shape', () => {
    expect(mask('+12223334444')).toBe('+*******4444');
    expect(mask('+1 (222) 333-4444')).toBe('+* (***) ***-4444');
  });

  it('hides short values entirely', () => {
    expect(mask('1234')).toBe('****');
    expect(mask('12')).toBe('****');
    expect(mask('')).toBe('****');
  });

  it('never leaks more than four digits', () => {
    const masked = mask('+61223334444');
    expect(masked.replace(/[^\d]/g, '')).toHaveLength(4);
  });
});

describe('shortNumber', () => {
  it('drops +1 from NANP numbers', () => {
    expect(shortNumber('+12223334444')).toBe('2223334444');
  });

  it('drops only the "+" from other numbers', () => {
    expect(shortNumber('+61223334444')).toBe('61223334444');
    expect(shortNumber('+91223334444')).toBe('91223334444');
  });
});
