import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneParse =
  | { ok: true; e164: string; recommended: boolean; country: string | undefined }
  | { ok: false; reason: string };

const FORMATTING = /[\s().-]/g;

/**
 * Bland's rules (seed 003, Send Call): E.164 is preferred; a national US number in common
 * formatting is accepted ("valid, but not recommended"); a number that starts with a country
 * code but no "+", an extension, or letters is refused.
 */
export function parsePhoneNumber(raw: unknown): PhoneParse {
  if (typeof raw === 'number') {
    return Number.isSafeInteger(raw) && raw > 0 ? parsePhoneNumber(String(raw)) : { ok: false, reason: 'Invalid phone number.' };
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'Phone number must be a string or number.' };
  const trimmed = raw.trim();
  if (trimmed.length === 0 || trimmed.length > 32) return { ok: false, reason: 'Invalid phone number.' };
  if (trimmed.startsWith('-')) return { ok: false, reason: `Invalid phone number: ${mask(trimmed)}.` };
  const compact = trimmed.replace(FORMATTING, '');
  const isE164Shape = /^\+[1-9]\d{6,14}$/.test(compact);
  const isUsNational = /^[2-9]\d{9}$/.test(compact);
  if (!isE164Shape && !isUsNational) return { ok: false, reason: `Invalid phone number: ${mask(trimmed)}.` };
  const parsed = parsePhoneNumberFromString(isE164Shape ? compact : `+1${compact}`);
  if (!parsed || !parsed.isPossible()) return { ok: false, reason: `Invalid phone number: ${mask(trimmed)}.` };
  return { ok: true, e164: parsed.number, recommended: trimmed === compact && isE164Shape, country: parsed.country };
}

/** For messages and logs: keep the shape, hide the subscriber digits. */
export function mask(phone: string): string {
  return phone.length <= 4 ? '****' : `${phone.slice(0, phone.length - 4).replace(/\d/g, '*')}${phone.slice(-4)}`;
}

/** The national part of a NANP number, as Bland's `short_to` / `short_from`. */
export function shortNumber(e164: string): string {
  return e164.startsWith('+1') ? e164.slice(2) : e164.replace(/^\+/, '');
}
