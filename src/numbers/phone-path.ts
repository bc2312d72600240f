import { parsePhoneNumber, type PhoneParse } from '../phone';

/**
 * A number as a path segment names it (seed 003, Inbound Number Details): the `+` (or `%2B`,
 * decoded before this) is optional and a number without a country code is a US one, so
 * `%2B13334445555`, `13334445555` and `3334445555` all name +13334445555.
 */
export function parsePathNumber(raw: string): PhoneParse {
  const compact = raw.trim().replace(/[\s().-]/g, '');
  if (/^\+?\d{1,15}$/.test(compact)) {
    const digits = compact.replace(/^\+/, '');
    return parsePhoneNumber(digits.length === 10 ? digits : `+${digits}`);
  }
  return parsePhoneNumber(raw);
}
