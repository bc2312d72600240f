import { z } from 'zod';
import { TrunkSchema } from '../../src/presenters/trunk';
import { SIP_USER } from '../../src/sessions/sip-headers';
import { SESSION_LIMITS } from '../../src/sessions/types';
import {
  TRUNK_ALLOWED_CALLER_IDS_MAX,
  TRUNK_HOST,
  TRUNK_HOST_MAX,
  TRUNK_NAME_MAX,
  TRUNK_PASSWORD_MAX,
  TRUNK_TRANSPORTS,
  TRUNK_USERNAME_MAX,
} from '../../src/trunks/types';
import { arr, enumOf, LABEL, optional, shape, str, text } from '../../src/validation/fields';
import { pathId } from '../contract/common';
import { endpoint } from '../contract/endpoint';

const tags = ['Sessions'];

// eslint-disable-next-line no-control-regex -- credentials go into SIP headers and TwiML attributes: no CR, LF, NUL or DEL
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]+$/;
const credential = (max: number) =>
  text(max).regex(NO_CONTROL_CHARACTERS, { error: `${LABEL} must not contain control characters.` });

export const CreateTrunkBody = shape({
  name: text(TRUNK_NAME_MAX).describe('Unique in the organisation: what POST /sessions names in `trunk`').meta({ examples: ['office-pbx'] }),
  host: str(TRUNK_HOST_MAX)
    .regex(TRUNK_HOST, { error: `${LABEL} must be a host name or IPv4 address, optionally with :port (e.g. pbx.example.com:5061).` })
    .describe('The SIP domain or address the INVITEs go to'),
  transport: optional(enumOf(TRUNK_TRANSPORTS)).describe('udp (the default), tcp or tls'),
  username: optional(credential(TRUNK_USERNAME_MAX)).describe('SIP digest username the legs present to the trunk (with `password`: both or neither)'),
  password: optional(credential(TRUNK_PASSWORD_MAX)).describe('SIP digest password: sealed at rest, never returned (the trunk shows `has_password`)'),
  allowed_caller_ids: optional(
    arr(
      TRUNK_ALLOWED_CALLER_IDS_MAX,
      str(SESSION_LIMITS.caller).regex(SIP_USER, { error: `${LABEL} must be a phone number or SIP user part (letters, digits and + * . _ ~ ! -).` }),
    ).min(1, { error: `${LABEL} must list at least one caller ID (leave it out to allow any).` }),
  ).describe('The caller IDs (From user parts, after rewrite_from) a session through this trunk may present; absent: any'),
  encrypted_key: optional(str(100)).describe("One of the organisation's carrier accounts (POST /v1/accounts) to place the trunk's legs with"),
});

const TrunkParams = z.object({ trunk_id: pathId('The TR- id returned when the trunk was created') });

export const createTrunk = endpoint({
  method: 'post',
  path: '/v1/trunks',
  summary: 'Create a SIP trunk',
  description: 'A SIP peer (a PBX or a carrier\'s SIP domain) that POST /sessions can send its legs to, by name. A name already used in the organisation is a 409.',
  tags,
  access: 'apiKey',
  body: CreateTrunkBody,
  responses: { 200: { description: 'Created', schema: z.object({ status: z.literal('success'), trunk: TrunkSchema }) } },
  errors: [409],
});

export const listTrunks = endpoint({
  method: 'get',
  path: '/v1/trunks',
  summary: "List the organisation's SIP trunks",
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'By name', schema: z.object({ status: z.literal('success'), trunks: z.array(TrunkSchema) }) } },
});

export const getTrunk = endpoint({
  method: 'get',
  path: '/v1/trunks/{trunk_id}',
  summary: 'Read a SIP trunk',
  tags,
  access: 'apiKey',
  params: TrunkParams,
  responses: { 200: { description: 'The trunk', schema: z.object({ status: z.literal('success'), trunk: TrunkSchema }) } },
  errors: [404],
});

export const deleteTrunk = endpoint({
  method: 'delete',
  path: '/v1/trunks/{trunk_id}',
  summary: 'Delete a SIP trunk',
  description: 'Sessions already created keep the trunk they were planned with; new ones can no longer name it.',
  tags,
  access: 'apiKey',
  params: TrunkParams,
  responses: { 200: { description: 'Deleted', schema: z.object({ status: z.literal('success'), message: z.string() }) } },
  errors: [404],
});

export const TRUNK_ENDPOINTS = [createTrunk, listTrunks, getTrunk, deleteTrunk];
