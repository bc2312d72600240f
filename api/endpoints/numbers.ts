import { z } from 'zod';
import { parsePathNumber } from '../../src/numbers/phone-path';
import { parsePhoneNumber } from '../../src/phone';
import { InboundAgentSchema, InboundNumberSchema, OutboundNumberSchema } from '../../src/presenters/inbound-number';
import { AS_IS, arr, LABEL, MISSING, optional, phone, shape, str } from '../../src/validation/fields';
import { isPlainObject } from '../../src/validation/json-values';
import { success } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { SEND_CALL_FIELDS } from '../schemas/send-call';

const tags = ['Numbers'];

/** `{phone_number}` in a path: `+` or `%2B` optional, a number without a country code is a US one (seed 003). */
export const NumberParams = z.object({
  phone_number: z
    .string()
    .max(40, { error: `${AS_IS}Invalid phone number.` })
    .transform((raw, ctx) => {
      const parsed = parsePathNumber(raw);
      if (parsed.ok) return parsed.e164;
      ctx.addIssue({ code: 'custom', message: `${AS_IS}phone_number: ${parsed.reason}` });
      return z.NEVER;
    })
    .describe('The number, E.164; the `+` (or `%2B`) is optional and a 10-digit number is taken as US')
    .meta({ examples: ['+13334445555', '13334445555', '3334445555'] }),
});

const encryptedKeyHeader = (description: string) => z.string().max(500).optional().describe(description);
const ListHeaders = z.object({ encrypted_key: encryptedKeyHeader('Only the numbers of this own Twilio account (POST /v1/accounts)') });
const AccountHeaders = z.object({ encrypted_key: encryptedKeyHeader('The own Twilio account the number belongs to (POST /v1/accounts)') });

/** SIP header names as carriers send them (`X-CALLERNO`); case is kept, as the match is case-sensitive. */
const SIP_HEADER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_SIP_HEADER_VARIABLES = 50;
const sipHeaderName = str(100).regex(SIP_HEADER, { error: `${LABEL} must be a SIP header name (letters, digits, '-' and '_'; at most 100).` });
const sipHeaderVariables = z
  .custom<Record<string, string>>((v) => isPlainObject(v), { error: `${LABEL} must be an object of SIP header name to variable name.` })
  .superRefine((v, ctx) => {
    const entries = Object.entries(v);
    if (entries.length > MAX_SIP_HEADER_VARIABLES) ctx.addIssue({ code: 'custom', message: `${LABEL} must have at most ${MAX_SIP_HEADER_VARIABLES} headers.` });
    for (const [header, variable] of entries.slice(0, MAX_SIP_HEADER_VARIABLES)) {
      if (!SIP_HEADER.test(header)) {
        ctx.addIssue({ code: 'custom', message: `${LABEL}: ${JSON.stringify(header.slice(0, 60))} is not a SIP header name (letters, digits, '-' and '_').` });
      } else if (typeof variable !== 'string' || !VARIABLE.test(variable)) {
        ctx.addIssue({ code: 'custom', message: `${LABEL}.${header} must be a variable name (a letter or '_', then letters, digits or '_').` });
      }
    }
  })
  .meta({ type: 'object', additionalProperties: { type: 'string' }, examples: [{ 'X-CALLERNO': 'caller_no', 'X-UCID': 'ucid' }] });

const f = SEND_CALL_FIELDS;
/**
 * The inbound agent's settings (seed 003, Update Inbound Details), with Send Call's rules where a
 * field means the same; `prompt` is Send Call's `task`. null clears a setting.
 */
export const INBOUND_AGENT_BODY = {
  prompt: optional(str(60_000)).describe("What the agent should do on this number's calls; required unless pathway_id is given."),
  pathway_id: f.pathway_id,
  voice: f.voice,
  background_track: f.background_track,
  first_sentence: f.first_sentence,
  wait_for_greeting: f.wait_for_greeting,
  interruption_threshold: f.interruption_threshold,
  model: f.model,
  tools: f.tools,
  language: f.language,
  timezone: f.timezone,
  transfer_phone_number: f.transfer_phone_number,
  transfer_list: f.transfer_list,
  dynamic_data: f.dynamic_data,
  keywords: f.keywords,
  max_duration: f.max_duration,
  webhook: f.webhook,
  analysis_schema: f.analysis_schema,
  metadata: f.metadata,
  summary_prompt: f.summary_prompt,
  analysis_prompt: f.analysis_prompt,
  record: f.record,
  sip_header_variables: optional(sipHeaderVariables).describe('SIP header name → prompt variable name, for calls that arrive over SIP (seed 002); null clears it.'),
  ingest_lookup_key: optional(sipHeaderName).describe("The SIP header whose value is the data source's lookup key (seed 002); null clears it."),
};

const BODY_OBJECT = 'Request body must be a JSON object.';
const areaCode = z
  .union([z.string(), z.number()], { error: `${LABEL} must be a 3-digit area code.` })
  .transform(String)
  .refine((v) => /^[2-9]\d{2}$/.test(v), { error: `${LABEL} must be a 3-digit area code.` });
const countryCode = z
  .string({ error: `${LABEL} must be a two-letter country code (US, CA, GB, …).` })
  .regex(/^[A-Za-z]{2}$/, { error: `${LABEL} must be a two-letter country code (US, CA, GB, …).` })
  .transform((v) => v.toUpperCase());

export const PurchaseBody = shape({
  phone_number: optional(phone('phone_number: ')).describe('Buy exactly this number; otherwise the first number on offer for area_code.'),
  area_code: optional(areaCode).describe('A three-digit area code (US, CA).').meta({ default: '415' }),
  country_code: optional(countryCode).describe('ISO 3166 alpha-2.').meta({ default: 'US' }),
  ...INBOUND_AGENT_BODY,
});

/** Unknown fields are not refused: they come back in `failed_updates`, saying how the request was read (seed). */
export const UpdateInboundBody = z.looseObject(INBOUND_AGENT_BODY, { error: BODY_OBJECT });

/** One number of a list, named by its place (`numbers[2]: Invalid phone number: …`). */
const listedPhone = z
  .union([z.string(), z.number()], { error: `${LABEL} must be a phone number string.` })
  .transform((v, ctx) => {
    const parsed = parsePhoneNumber(v);
    if (parsed.ok) return parsed.e164;
    ctx.addIssue({ code: 'custom', message: `${LABEL}: ${parsed.reason}` });
    return z.NEVER;
  });

export const InsertBody = shape({
  numbers: arr(1000, listedPhone).min(1, { error: `${LABEL} must have at least one number.` }).describe('Numbers of the own Twilio account named by encrypted_key'),
});

const purchaseSpec = (path: string, summary: string) =>
  endpoint({
    method: 'post',
    path,
    summary,
    description:
      "Buys a number through the carrier (the number given, or the first on offer for the area code and country), points its calls at this API and stores it as the organisation's inbound number, with the agent settings given. A purchase the carrier refuses stores nothing.",
    tags,
    access: 'apiKey',
    body: PurchaseBody,
    responses: { 200: { description: 'The number bought', schema: success({ phone_number: z.string(), inbound_number: InboundNumberSchema }) } },
    errors: [409, 502],
  });

export const purchaseNumber = purchaseSpec('/numbers/purchase', 'Purchase a phone number');
export const purchaseNumberV1 = purchaseSpec('/v1/numbers/purchase', 'Purchase a phone number (v1 path)');
export const purchaseInbound = purchaseSpec('/v1/inbound/purchase', "Purchase a phone number (Bland's client libraries' path)");

export const insertInbound = endpoint({
  method: 'post',
  path: '/v1/inbound/insert',
  summary: 'Upload inbound numbers from your own Twilio account',
  description:
    'Adds numbers the own Twilio account (encrypted_key) holds, and points their calls at this API. A number the account does not hold, or that is already an inbound number here, is left out of `inserted`.',
  tags,
  access: 'apiKey',
  headers: z.object({ encrypted_key: z.string({ error: MISSING }).max(500).describe('The own Twilio account (POST /v1/accounts)') }),
  body: InsertBody,
  responses: { 200: { description: 'The numbers added', schema: success({ inserted: z.array(z.string()) }) } },
  errors: [502],
});

export const listInbound = endpoint({
  method: 'get',
  path: '/v1/inbound',
  summary: 'List inbound numbers',
  tags,
  access: 'apiKey',
  headers: ListHeaders,
  responses: { 200: { description: "The organisation's numbers and their agents, newest first", schema: z.object({ inbound_numbers: z.array(InboundNumberSchema) }) } },
});

export const getInbound = endpoint({
  method: 'get',
  path: '/v1/inbound/{phone_number}',
  summary: 'Inbound number details',
  tags,
  access: 'apiKey',
  params: NumberParams,
  headers: ListHeaders,
  responses: { 200: { description: 'The number and its agent', schema: InboundNumberSchema } },
  errors: [404],
});

export const updateInbound = endpoint({
  method: 'post',
  path: '/v1/inbound/{phone_number}',
  summary: 'Update inbound details',
  description: "Sets the number's agent. Fields left out keep their value; null clears one. A field this API does not know is named in `failed_updates` and not stored.",
  tags,
  access: 'apiKey',
  params: NumberParams,
  headers: AccountHeaders,
  body: UpdateInboundBody,
  responses: {
    200: {
      description: 'The agent settings after the update',
      schema: success({ updates: InboundAgentSchema, failed_updates: z.record(z.string(), z.string()).describe('Fields not stored, and why') }),
    },
  },
  errors: [404],
});

const deleteSpec = (method: 'delete' | 'post', path: string) =>
  endpoint({
    method,
    path,
    summary: method === 'delete' ? 'Delete an inbound number' : 'Delete an inbound number (POST form)',
    description:
      "A number of an own Twilio account (encrypted_key required) is removed from this API only; the account keeps it. A purchased number (no encrypted_key) is released to the carrier and removed.",
    tags,
    access: 'apiKey',
    params: NumberParams,
    headers: AccountHeaders,
    responses: { 200: { description: 'Deleted', schema: success({}) } },
    errors: [404, 502],
  });

export const deleteInbound = deleteSpec('delete', '/v1/inbound/{phone_number}');
export const deleteInboundPost = deleteSpec('post', '/v1/inbound/{phone_number}/delete');

export const listOutbound = endpoint({
  method: 'get',
  path: '/v1/outbound',
  summary: 'List outbound numbers',
  description: "The organisation's numbers that calls can be sent from (`from`), with when a call last went out from each.",
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'The caller IDs, newest first', schema: z.object({ outbound_numbers: z.array(OutboundNumberSchema) }) } },
});

export const NUMBER_ENDPOINTS = [
  purchaseNumber,
  purchaseNumberV1,
  purchaseInbound,
  insertInbound,
  listInbound,
  getInbound,
  updateInbound,
  deleteInbound,
  deleteInboundPost,
  listOutbound,
];
