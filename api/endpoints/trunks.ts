import { z } from 'zod';
import { TrunkSchema } from '../../src/presenters/trunk';
import { TRUNK_HOST, TRUNK_HOST_MAX, TRUNK_NAME_MAX, TRUNK_TRANSPORTS } from '../../src/trunks/types';
import { enumOf, LABEL, optional, shape, str, text } from '../../src/validation/fields';
import { pathId } from '../contract/common';
import { endpoint } from '../contract/endpoint';

const tags = ['Sessions'];

export const CreateTrunkBody = shape({
  name: text(TRUNK_NAME_MAX).describe('Unique in the organisation: what POST /sessions names in `trunk`').meta({ examples: ['office-pbx'] }),
  host: str(TRUNK_HOST_MAX)
    .regex(TRUNK_HOST, { error: `${LABEL} must be a host name or IPv4 address, optionally with :port (e.g. pbx.example.com:5061).` })
    .describe('The SIP domain or address the INVITEs go to'),
  transport: optional(enumOf(TRUNK_TRANSPORTS)).describe('udp (the default), tcp or tls'),
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
