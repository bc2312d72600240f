import { z } from 'zod';
import { optional, str } from '../../src/validation/fields';
import { pathId, success } from '../contract/common';
import { endpoint } from '../contract/endpoint';

const tags = ['Admin'];
const issued = success({ org_id: z.string(), api_key: z.string().describe('Shown once; only its hash is stored') });
const jsonObject = { error: 'Request body must be a JSON object.' };

export const createOrg = endpoint({
  method: 'post',
  path: '/v1/admin/orgs',
  summary: 'Create an organisation',
  description: 'Creates an organisation and its first API key. Needs the admin key (ADMIN_API_KEY).',
  tags,
  access: 'adminKey',
  body: z.object({ name: str(200).describe("The organisation's name") }, jsonObject),
  responses: { 201: { description: 'Created', schema: issued } },
});

export const issueKey = endpoint({
  method: 'post',
  path: '/v1/admin/orgs/{org_id}/keys',
  summary: 'Issue another API key',
  description: 'Needs the admin key (ADMIN_API_KEY).',
  tags,
  access: 'adminKey',
  params: z.object({ org_id: pathId('The org_id returned when the organisation was created') }),
  body: z.object({ label: optional(str(200)).describe('A name for the key') }, jsonObject).optional(),
  responses: { 201: { description: 'Created', schema: issued } },
  errors: [404],
});

export const ADMIN_ENDPOINTS = [createOrg, issueKey];
