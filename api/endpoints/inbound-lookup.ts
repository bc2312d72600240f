import { z } from 'zod';
import { CSV_LIMITS } from '../../src/inbound/csv';
import { LOOKUP_URL_LIMITS } from '../../src/inbound/lookup-url';
import { int, LABEL, optional, shape, str } from '../../src/validation/fields';
import { isPlainObject } from '../../src/validation/json-values';
import { success } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { NumberParams } from './numbers';

const tags = ['Numbers'];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const MAX_HEADERS = 20;

const lookupHeaders = z
  .custom<Record<string, string>>((v) => isPlainObject(v), { error: `${LABEL} must be an object of header name to value.` })
  .superRefine((v, ctx) => {
    const entries = Object.entries(v);
    if (entries.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `${LABEL} must have at most ${MAX_HEADERS} headers.` });
    for (const [name, value] of entries.slice(0, MAX_HEADERS)) {
      if (!HEADER_NAME.test(name) || name.toLowerCase() === 'host') {
        ctx.addIssue({ code: 'custom', message: `${LABEL}: ${JSON.stringify(name.slice(0, 60))} is not a header name that can be set.` });
      } else if (typeof value !== 'string' || value.length > 2000 || /[\r\n\0]/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${LABEL}.${name} must be a string of at most 2000 characters, on one line.` });
      }
    }
  })
  .meta({ type: 'object', additionalProperties: { type: 'string' }, examples: [{ authorization: 'Bearer …' }] });

/**
 * A number's lookup source: `csv` (the file itself; a body sent as `text/csv` is read as `{csv}`)
 * or `url` (asked on each call). Exactly one of them.
 */
export const LookupBody = shape({
  csv: optional(z.string({ error: `${LABEL} must be a string (the CSV file's text).` }))
    .describe(`The CSV: a header row (the key column, then variable names), then one row per key; at most ${CSV_LIMITS.maxBytes} bytes and ${CSV_LIMITS.maxRows} rows.`)
    .meta({ examples: ['contact_number,first_name,plan\n0XXXXXXXXXX,Ramesh,Pro\n'] }),
  url: optional(str(2048)).describe('Asked on each call: GET url?lookup_key=…&from=…&to=…; https, or http/private hosts named in OUTBOUND_ALLOWLIST.'),
  headers: optional(lookupHeaders).describe('Headers sent to url (stored as given, shown masked).'),
  timeout: optional(int(LOOKUP_URL_LIMITS.minTimeoutMs, LOOKUP_URL_LIMITS.maxTimeoutMs))
    .describe('Milliseconds the url may take; the caller is waiting.')
    .meta({ default: LOOKUP_URL_LIMITS.defaultTimeoutMs }),
});

export const LookupSchema = z
  .object({
    phone_number: z.string(),
    source: z.enum(['csv', 'url']),
    key_column: z.string().nullable().describe('csv: the first column, matched exactly against the lookup key'),
    columns: z.array(z.string()).nullable().describe('csv: the variables a row sets'),
    rows: z.number().nullable(),
    bytes: z.number().nullable(),
    url: z.string().nullable(),
    headers: z.record(z.string(), z.string()).nullable().describe('url: the headers sent, values masked'),
    timeout: z.number().nullable(),
    updated_at: z.string(),
  })
  .describe("The number's lookup source (seed 002)");

export const setLookup = endpoint({
  method: 'post',
  path: '/v1/inbound/{phone_number}/lookup',
  summary: "Set the number's lookup source (CSV or URL)",
  description:
    `The data an incoming call is looked up in (seed 002), by the \`ingest_lookup_key\` header's value or the caller's number. Send the CSV as the body (\`Content-Type: text/csv\`) or as \`{"csv": "…"}\`, or a URL as \`{"url": …}\`. The source is replaced as a whole: a CSV with any bad row is refused (every bad row named, up to 20) and the previous source stays. Limits: ${CSV_LIMITS.maxBytes} bytes (413), ${CSV_LIMITS.maxRows} rows after the header (413), ${CSV_LIMITS.maxColumns} columns, keys up to ${CSV_LIMITS.maxKeyChars} characters, cells up to ${CSV_LIMITS.maxCellChars}.`,
  tags,
  access: 'apiKey',
  params: NumberParams,
  body: LookupBody,
  responses: { 200: { description: 'The source now in use', schema: success({ lookup: LookupSchema }) } },
  errors: [404, 413],
});

export const getLookup = endpoint({
  method: 'get',
  path: '/v1/inbound/{phone_number}/lookup',
  summary: "The number's lookup source",
  description: 'With `key`, also what a call with that lookup key would get (`match`, null when nothing matches). A lookup URL that fails (unreachable, an error status, a bad answer) is a 424 with its reason.',
  tags,
  access: 'apiKey',
  params: NumberParams,
  query: z.object({ key: optional(str(CSV_LIMITS.maxKeyChars)).describe('A lookup key to try, matched exactly') }),
  responses: {
    200: {
      description: 'The source (null when none is set)',
      schema: z.object({ lookup: LookupSchema.nullable(), match: z.record(z.string(), z.string()).nullable().optional() }),
    },
  },
  errors: [404, 424],
});

export const deleteLookup = endpoint({
  method: 'delete',
  path: '/v1/inbound/{phone_number}/lookup',
  summary: "Remove the number's lookup source",
  tags,
  access: 'apiKey',
  params: NumberParams,
  responses: { 200: { description: 'Removed (or there was none)', schema: success({ removed: z.boolean() }) } },
  errors: [404],
});

export const INBOUND_LOOKUP_ENDPOINTS = [setLookup, getLookup, deleteLookup];
