import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { endpoint } from '../../api/contract/endpoint';
import { mountEndpoint } from '../../api/contract/mount';
import { openApiFromEndpoints } from '../../api/contract/openapi';
import { qInt } from '../../api/contract/query-fields';
import { errorHandler } from '../../api/middleware/error-handler';
import { arr, bool, int, obj, optional, phone, shape, str, url } from '../../src/validation/fields';
import { issueMessages, MAX_LISTED_PROBLEMS } from '../../src/validation/issue-messages';

/** The endpoint contract: one zod description validates every part of a request and is the OpenAPI operation. */
const widget = endpoint({
  method: 'post',
  path: '/v1/widgets/{widget_id}',
  summary: 'Update a widget',
  tags: ['Widgets'],
  access: 'apiKey',
  params: z.object({ widget_id: str(20) }),
  query: z.object({ limit: qInt(1).optional() }),
  headers: z.object({ 'x-trace': str(10).optional() }),
  body: z.object(
    {
      name: str(5, 'Name'),
      phone: optional(phone('phone: ')),
      tags: optional(arr(2, str(3))),
      retry: optional(shape({ tries: optional(int(1, 3)) })),
      hook: optional(url()),
      meta: optional(obj(100)),
      on: optional(bool()),
    },
    { error: 'Request body must be a JSON object.' },
  ),
  responses: { 200: { description: 'The widget', schema: z.object({ id: z.string() }) } },
  errors: [404],
});

function app() {
  const a = express();
  a.use(express.json());
  const router = express.Router();
  mountEndpoint(router, widget, ({ params, query, body }, _req, res) => {
    res.json({ id: params.widget_id, limit: query.limit ?? null, name: body.name, phone: body.phone ?? null });
  });
  a.use(router);
  a.use(errorHandler());
  return a;
}

describe('mountEndpoint', () => {
  it('hands the handler parsed values (phone numbers in E.164, query integers as numbers)', async () => {
    const res = await request(app()).post('/v1/widgets/w1?limit=3').send({ name: 'ab', phone: '(415) 555-0123', tags: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'w1', limit: 3, name: 'ab', phone: '+14155550123' });
  });

  it('lists every problem of every part in one 400, in Bland’s shape and wording', async () => {
    const res = await request(app())
      .post('/v1/widgets/w1?limit=0&limit=2')
      .set('x-trace', 'x'.repeat(11))
      .send({ phone: 'nope', tags: ['a', 7], retry: { tries: 9, wait: 1 }, hook: 'ftp://x', meta: { 'a.b': 1 }, on: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('error');
    expect(res.body.message).toBe('Invalid parameters');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        'limit must be given once.',
        'x-trace must be at most 10 characters.',
        'Missing required parameter: name.',
        'phone: Invalid phone number: ****.',
        'tags[1] must be a string.',
        'retry.tries must be between 1 and 3.',
        'retry.wait is not a known field (known: tries).',
        'hook must be an http(s) URL.',
        'meta has a key that is not allowed: "a.b" (no \'.\', no leading \'$\').',
        'on must be a boolean.',
      ]),
    );
    expect(res.body.errors).toHaveLength(10);
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('refuses an oversized array by its size', async () => {
    const res = await request(app()).post('/v1/widgets/w1').send({ name: 'a', tags: ['a', 'b', 'c'] });
    expect(res.body.errors).toEqual(['tags must have at most 2 items.']);
  });

  it('refuses a body that is not an object with the schema’s own message', async () => {
    const res = await request(app()).post('/v1/widgets/w1').set('content-type', 'application/json').send('[1]');
    expect(res.body.errors).toEqual(['Request body must be a JSON object.']);
  });
});

describe('issueMessages', () => {
  it('lists at most MAX_LISTED_PROBLEMS problems one by one and counts the rest (a hostile body can have tens of thousands)', () => {
    const parsed = z.array(str(5)).safeParse(Array.from({ length: MAX_LISTED_PROBLEMS + 500 }, () => 7));
    const messages = issueMessages(parsed.error!);
    expect(messages).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(messages[0]).toBe('Request body[0] must be a string.');
    expect(messages.at(-1)).toBe('…and 500 more problems.');
  });

  it('prefixes a message zod wrote itself with the field’s path', () => {
    const parsed = z.object({ a: z.object({ b: z.string() }) }).safeParse({ a: { b: 1 } });
    expect(parsed.success).toBe(false);
    expect(issueMessages(parsed.error!)).toEqual(['a.b: Invalid input: expected string, received number']);
  });
});

describe('openApiFromEndpoints', () => {
  const doc = openApiFromEndpoints([widget], 'http://127.0.0.1:1') as { paths: Record<string, Record<string, any>> };
  const op = doc.paths['/v1/widgets/{widget_id}']!.post;

  it('describes the path, query and header parameters and the body from the same schemas', () => {
    expect(op.parameters.map((p: { in: string; name: string; required: boolean }) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'path:widget_id:true',
      'query:limit:false',
      'header:x-trace:false',
    ]);
    const body = op.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['name']);
    expect(body.properties.name).toEqual({ type: 'string', maxLength: 5 });
    expect(body.properties.retry.anyOf[0].additionalProperties).toBe(false);
  });

  it('answers 400 when anything is validated, 401 and 429 behind a key, and the declared errors', () => {
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '404', '429']);
    expect(op.responses[200].content['application/json'].schema.properties.id).toEqual({ type: 'string' });
    expect(op.security).toEqual([{ apiKey: [] }]);
  });

  it('refuses an operation described twice', () => {
    expect(() => openApiFromEndpoints([widget, widget], 'http://x')).toThrow(/described twice/);
  });
});
