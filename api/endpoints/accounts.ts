import { z } from 'zod';
import { ACCOUNT_SID } from '../../src/telephony/carrier-accounts';
import { AS_IS, LABEL, MISSING } from '../../src/validation/fields';
import { success } from '../contract/common';
import { endpoint } from '../contract/endpoint';

/** One message for every problem of a field, but "missing" when it is absent. */
const field = (message: string) => (iss: { input?: unknown }) => (iss.input === undefined ? MISSING : message);

const SID_MESSAGE = `${LABEL} must be a Twilio Account SID: AC followed by 32 hex digits.`;
const TOKEN_MESSAGE = `${LABEL} must be a string of 16 to 128 printable characters.`;

export const AccountBody = z.strictObject(
  {
    account_sid: z.string({ error: field(SID_MESSAGE) }).regex(ACCOUNT_SID, { error: SID_MESSAGE }),
    auth_token: z.string({ error: field(TOKEN_MESSAGE) }).regex(/^[\x21-\x7e]{16,128}$/, { error: TOKEN_MESSAGE }),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `${AS_IS}${iss.keys.map((k) => `Unknown parameter: ${k}.`).join(' ')}` : `${AS_IS}The body must be a JSON object.`,
  },
);

export const createAccount = endpoint({
  method: 'post',
  path: '/v1/accounts',
  summary: 'Store Twilio credentials',
  description: 'Seals the account\'s credentials and answers the `encrypted_key` that calls then send as a header. The key is shown once.',
  tags: ['Custom Twilio accounts'],
  access: 'apiKey',
  body: AccountBody,
  responses: { 200: { description: 'The key, shown once', schema: success({ encrypted_key: z.string().regex(/^ek_[A-Za-z0-9_-]{43}$/) }) } },
  errors: [501],
});

/** The handler answers a missing key with the seed's own message ("Missing encrypted key"), so the schema leaves it optional. */
const KeyHeader = z.object({
  encrypted_key: z.string().max(500).optional().describe('The key to disable (required; without it the answer is a 400 "Missing encrypted key")'),
});

const deleteAccount = (method: 'delete' | 'post', summary: string) =>
  endpoint({
    method,
    path: '/v1/accounts/delete',
    summary,
    description: 'Stops new calls on the key; calls already placed with it finish. Unknown, disabled and another organisation\'s keys are all a 404.',
    tags: ['Custom Twilio accounts'],
    access: 'apiKey',
    headers: KeyHeader,
    responses: { 200: { description: 'Disabled', schema: z.object({ status: z.literal('success') }) } },
    errors: [404],
  });

export const disableAccount = deleteAccount('delete', 'Disable an encrypted_key');
/** The seed documents DELETE and shows a POST in its example: both are served. */
export const disableAccountByPost = deleteAccount('post', "Disable an encrypted_key (the seed example's POST form)");

export const rotateWebhookSecret = endpoint({
  method: 'post',
  path: '/v1/webhooks/signing_secret',
  summary: 'Replace the webhook signing secret',
  description: "Creates or replaces the organisation's webhook signing secret and shows it this once (`Cache-Control: no-store`); only a sealed copy is stored. Takes no parameters.",
  tags: ['Webhooks'],
  access: 'apiKey',
  body: z.strictObject({}, { error: `${AS_IS}This endpoint takes no parameters.` }).optional(),
  responses: { 200: { description: 'The new secret, shown once', schema: success({ signing_secret: z.string().regex(/^whsec_[0-9a-f]{64}$/) }) } },
});

export const ACCOUNT_ENDPOINTS = [createAccount, disableAccount, disableAccountByPost, rotateWebhookSecret];
