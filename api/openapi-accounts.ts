/** OpenAPI paths of custom Twilio accounts (merged into api/openapi.ts); behaviour in docs/api.md, Custom Twilio accounts. */
const err = { $ref: '#/components/responses/Error' };
const auth = [{ apiKey: [] }];
const keyHeader = { name: 'encrypted_key', in: 'header', required: true, schema: { type: 'string', pattern: '^ek_[A-Za-z0-9_-]{43}$' } };
const success = { 200: { description: 'Disabled', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'success' } } } } } } };
const deleteOp = (summary: string) => ({
  summary,
  security: auth,
  parameters: [keyHeader],
  responses: { ...success, 400: { ...err, description: 'Missing encrypted key' }, 404: { ...err, description: 'Error deleting Twilio credentials' } },
});

export const accountPaths = {
  '/v1/accounts': {
    post: {
      summary: 'Store Twilio credentials (sealed) and get an encrypted_key for calls',
      security: auth,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['account_sid', 'auth_token'],
              additionalProperties: false,
              properties: {
                account_sid: { type: 'string', pattern: '^AC[0-9a-fA-F]{32}$' },
                auth_token: { type: 'string', minLength: 16, maxLength: 128 },
              },
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The key, shown once',
          content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'success' }, encrypted_key: { type: 'string' } } } } },
        },
        400: err,
      },
    },
  },
  '/v1/accounts/delete': {
    delete: deleteOp('Disable an encrypted_key'),
    post: deleteOp('Disable an encrypted_key (the form in the seed\'s example)'),
  },
};
