import { z } from 'zod';
import { LABEL, phone } from '../../src/validation/fields';

/**
 * Query-string parameters: each arrives as a string, or as an array when repeated, which is
 * refused rather than guessed around ("batch_id must be given once.").
 */
const once = (text: string) => (iss: { input?: unknown }) => (Array.isArray(iss.input) ? `${LABEL} must be given once.` : `${LABEL} ${text}`);

export const qString = (max = 200) => z.string({ error: once('must be a string.') }).max(max, { error: `${LABEL} must be at most ${max} characters.` });

export const qInt = (min: number) =>
  z
    .string({ error: once(`must be an integer >= ${min}.`) })
    .regex(/^\d{1,9}$/, { error: `${LABEL} must be an integer >= ${min}.` })
    .transform(Number)
    .refine((n) => n >= min, { error: `${LABEL} must be an integer >= ${min}.` });

export const qBool = () => z.enum(['true', 'false'], { error: once('must be true or false.') }).transform((v) => v === 'true');

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar day, YYYY-MM-DD, as midnight UTC; days that do not exist (2024-02-31) are refused. */
export const qDay = () =>
  z
    .string({ error: once('must be a date in YYYY-MM-DD format.') })
    .refine((raw) => DAY.test(raw) && new Date(`${raw}T00:00:00.000Z`).toISOString().slice(0, 10) === raw, {
      error: `${LABEL} must be a date in YYYY-MM-DD format.`,
    })
    .transform((raw) => new Date(`${raw}T00:00:00.000Z`))
    .meta({ format: 'date' });

export const qDecimal = (text: string) =>
  z
    .string({ error: once(text) })
    .regex(/^-?\d{1,9}(\.\d{1,9})?$/, { error: `${LABEL} ${text}` })
    .transform(Number);

export const qPhone = (name: string) => z.string({ error: once('must be a phone number.') }).pipe(phone(`${name}: `) as unknown as z.ZodType<string, string>);
