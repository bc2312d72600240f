/**
 * Untrusted text (SIP header values, CSV cells, a lookup URL's answers) made into variable values:
 * control characters and bidirectional-override marks are removed (they cannot be seen in a
 * transcript but change how text reads), and the value is cut to a bound. What remains is data:
 * the templater substitutes it once and never reads it as a template.
 */
export const MAX_VALUE_CHARS = 1_000;

// C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate marks.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface CleanValue {
  value: string;
  /** The value was longer than the bound and was cut. */
  cut: boolean;
}

export function cleanValue(raw: string, max = MAX_VALUE_CHARS): CleanValue {
  const bounded = raw.length > max * 4 ? raw.slice(0, max * 4) : raw;
  const value = bounded.replace(INVISIBLE, '');
  return value.length > max ? { value: value.slice(0, max), cut: true } : { value, cut: raw.length > max * 4 };
}

/** Names a variable may have (the templater's `{{name}}`); the object keys JavaScript treats specially are never one. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
export const isVariableName = (name: string): boolean => VARIABLE_NAME.test(name) && !RESERVED_NAMES.has(name);

/** A lookup key or token shown in an event: enough to recognise, never the whole value. */
export function maskValue(value: string): string {
  if (value.length <= 4) return '*'.repeat(value.length);
  const shown = value.slice(-4).replace(INVISIBLE, '?');
  return `${'*'.repeat(Math.min(value.length - 4, 12))}${shown}`;
}
