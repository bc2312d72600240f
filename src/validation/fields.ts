import { z } from 'zod';
import { parsePhoneNumber } from '../phone';
import { isPlainObject, unsafeKey } from './json-values';

/**
 * Zod field builders that speak Bland's wording ("task must be a string."). Every request schema of
 * the API and of the domain (tools, dynamic_data, pathways) is built from these, so one rule has one
 * message everywhere.
 *
 * A message names its field through LABEL, which `issueMessages` replaces with the field's path in
 * the request (`keywords[1]`, `retry.on[0]`), unless the builder was given a fixed label ("Task").
 */
export const LABEL = '\u0000label\u0000';
/** Stands for "Missing required parameter: <path>." (absent or null where a value is required). */
export const MISSING = '\u0000missing\u0000';
/** Starts a message that is complete as written (its own label, or none). */
export const AS_IS = '\u0001';

const says = (label: string | undefined, text: string): string => (label ? `${AS_IS}${label} ${text}` : `${LABEL} ${text}`);
/** A type error's message; on a required field (optional ones never see them) undefined and null are "missing". */
const typeError = (label: string | undefined, text: string) => (iss: { input?: unknown }) =>
  iss.input === undefined || iss.input === null ? MISSING : says(label, text);

export const str = (max = 10_000, label?: string) =>
  z.string({ error: typeError(label, 'must be a string.') }).max(max, { error: says(label, `must be at most ${max} characters.`) });

/** A string with at least one non-blank character. */
export const text = (max: number, label?: string) =>
  str(max, label).refine((v) => v.trim().length > 0, { error: says(label, 'must not be empty.') });

export const bool = (label?: string) => z.boolean({ error: typeError(label, 'must be a boolean.') });

export const num = (min: number, max: number, label?: string) =>
  z
    .number({ error: typeError(label, 'must be a number.') })
    .min(min, { error: says(label, `must be between ${min} and ${max}.`) })
    .max(max, { error: says(label, `must be between ${min} and ${max}.`) });

export const int = (min: number, max: number, label?: string) =>
  z
    .number({ error: typeError(label, 'must be an integer.') })
    .int({ error: says(label, 'must be an integer.') })
    .min(min, { error: says(label, `must be between ${min} and ${max}.`) })
    .max(max, { error: says(label, `must be between ${min} and ${max}.`) });

export const enumOf = <const T extends readonly [string, ...string[]]>(values: T, label?: string) =>
  z.enum(values, { error: typeError(label, `must be one of: ${values.join(', ')}.`) });

/** Where user JSON is stored as given: a plain object, bounded in size, with keys the store accepts. */
export const obj = (maxJsonBytes = 65_536, label?: string) =>
  z
    .custom<Record<string, unknown>>((v) => isPlainObject(v), { error: typeError(label, 'must be an object.') })
    .superRefine((v, ctx) => {
      if (JSON.stringify(v).length > maxJsonBytes) {
        ctx.addIssue({ code: 'custom', message: says(label, `must be at most ${maxJsonBytes} bytes of JSON.`) });
        return;
      }
      const bad = unsafeKey(v);
      if (bad) ctx.addIssue({ code: 'custom', message: says(label, `has a key that is not allowed: ${JSON.stringify(bad.slice(0, 40))} (no '.', no leading '$').`) });
    })
    .meta({ type: 'object' });

export const arr = <T extends z.ZodType>(maxItems: number, item: T, label?: string) =>
  z.array(item, { error: typeError(label, 'must be an array.') }).max(maxItems, { error: says(label, `must have at most ${maxItems} items.`) });

/** The first alternative's message speaks for the union (Bland names one expected form). */
export const oneOf = <const T extends readonly [z.ZodType, z.ZodType, ...z.ZodType[]]>(message: string, options: T, label?: string) =>
  z.union(options, { error: typeError(label, message) });

/** An object whose listed fields pass their checks; other fields are refused, so typos are not ignored. */
export const shape = <T extends z.ZodRawShape>(fields: T, label?: string) =>
  z.strictObject(fields, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `${label ? AS_IS + label : LABEL}.${iss.keys[0]} is not a known field (known: ${Object.keys(fields).join(', ')}).`
        : typeError(label, 'must be an object.')(iss),
  });

export const url = (label?: string) =>
  str(2048, label).superRefine((v, ctx) => {
    let protocol: string;
    try {
      protocol = new URL(v).protocol;
    } catch {
      ctx.addIssue({ code: 'custom', message: says(label, 'must be a valid URL.') });
      return;
    }
    if (protocol !== 'https:' && protocol !== 'http:') ctx.addIssue({ code: 'custom', message: says(label, 'must be an http(s) URL.') });
  });

/**
 * A phone number, as a string or a number, in any form libphonenumber reads; the value becomes
 * E.164. Its messages are the parser's own, after `prefix` ("from: "); '' is a missing value.
 */
export const phone = (prefix = '') =>
  z
    .union([z.string(), z.number()], { error: (iss) => (iss.input === undefined || iss.input === null ? MISSING : `${AS_IS}${prefix}Phone number must be a string or number.`) })
    .transform((v, ctx) => {
      if (v === '') {
        ctx.addIssue({ code: 'custom', message: MISSING });
        return z.NEVER;
      }
      const parsed = parsePhoneNumber(v);
      if (parsed.ok) return parsed.e164;
      ctx.addIssue({ code: 'custom', message: `${AS_IS}${prefix}${parsed.reason}` });
      return z.NEVER;
    });

/** An optional field: absent and null mean the same (Bland's clients send null for unset fields). */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish();
