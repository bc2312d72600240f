import { z } from 'zod';
import { VectorDetailSchema, VectorSummarySchema } from '../../src/presenters/knowledge-base';
import { KB_MAX_DESCRIPTION_CHARS, KB_MAX_NAME_CHARS, KB_MAX_TEXT_BYTES } from '../../src/knowledge/types';
import { LABEL, shape, str, text } from '../../src/validation/fields';
import { qBool, qString } from '../contract/query-fields';
import { alsoUnderV1, pathId } from '../contract/common';
import { endpoint } from '../contract/endpoint';

const tags = ['Knowledge bases'];

/** A JSON body of a 1 MiB text can be larger than the text (escapes): the routes take up to this. */
export const KB_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export const VectorBody = shape({
  name: text(KB_MAX_NAME_CHARS).describe('Shown to the agent as the search tool\'s subject').meta({ examples: ['Bland AI FAQs'] }),
  description: str(KB_MAX_DESCRIPTION_CHARS).describe('What the knowledge base holds; the agent reads it to decide when to search'),
  text: text(KB_MAX_TEXT_BYTES)
    .refine((v) => Buffer.byteLength(v, 'utf8') <= KB_MAX_TEXT_BYTES, { error: `${LABEL} must be at most ${KB_MAX_TEXT_BYTES} bytes (1 MiB) of UTF-8.` })
    .describe('The documents, as plain text or Markdown, at most 1 MiB of UTF-8. Data only: never templated or evaluated. Blank lines separate passages best.'),
});

const VectorParams = z.object({ vector_id: pathId('The KB- id returned when the knowledge base was created') });
const IncludeText = z.object({
  include_text: qBool().optional().describe('Include the full text (may be large)'),
});
const saved = { description: 'Saved; indexing runs in the background (GET /vectors/{vector_id} shows its progress)', schema: z.object({ vector_id: z.string() }) };

export const [createVector, createVectorV1] = alsoUnderV1(
  endpoint({
    method: 'post',
    path: '/vectors',
    summary: 'Create a knowledge base (vector store)',
    description:
      'Stores the text and starts indexing it (chunks embedded by the model). Put the returned `vector_id` in a call\'s `tools` to let the agent search it. ' +
      `The text is at most ${KB_MAX_TEXT_BYTES} bytes of UTF-8 (1 MiB).`,
    tags,
    access: 'apiKey',
    body: VectorBody,
    responses: { 200: saved },
    errors: [413, 503],
  }),
);

/** A file's content as the body: plain text or Markdown, as a knowledge base's text. */
export const UPLOAD_CONTENT_TYPES = ['text/plain', 'text/markdown', 'text/x-markdown'];

export const [uploadVector, uploadVectorV1] = alsoUnderV1(
  endpoint({
    method: 'post',
    path: '/vectors/upload',
    summary: 'Create a knowledge base from a plain-text or Markdown file',
    description:
      'The body is the file itself (`Content-Type: text/plain` or `text/markdown`, UTF-8), at most 1 MiB; `name` and `description` are query parameters. ' +
      'The same as POST /vectors with that text.',
    tags,
    access: 'apiKey',
    query: z.strictObject(
      {
        name: qString(KB_MAX_NAME_CHARS).refine((v) => v.trim().length > 0, { error: `${LABEL} must not be empty.` }).describe('The knowledge base\'s name'),
        description: qString(KB_MAX_DESCRIPTION_CHARS).optional().describe('What it holds (default empty)'),
      },
      { error: (iss) => (iss.code === 'unrecognized_keys' ? `${LABEL}.${iss.keys[0]} is not a known parameter (known: name, description).` : undefined) },
    ),
    bodyContentType: 'text/plain',
    body: z
      .string({ error: (iss) => (iss.input === undefined ? 'Send the file as the body, with Content-Type text/plain or text/markdown.' : 'The body must be text (text/plain or text/markdown).') })
      .refine((v) => v.trim().length > 0, { error: 'The file is empty.' })
      // JSON bodies are refused a NUL before parsing (json-body.ts); a file is checked here.
      .refine((v) => !v.includes('\u0000'), { error: 'The file contains a NUL character; send a text file.' })
      .refine((v) => Buffer.byteLength(v, 'utf8') <= KB_MAX_TEXT_BYTES, { error: `The file must be at most ${KB_MAX_TEXT_BYTES} bytes (1 MiB).` })
      .describe('The file\'s content'),
    responses: { 200: saved },
    errors: [413, 503],
  }),
);

export const [updateVector, updateVectorV1] = alsoUnderV1(
  endpoint({
    method: 'post',
    path: '/vectors/{vector_id}',
    summary: 'Update a knowledge base',
    description:
      'Replaces name, description and text (all required) and re-indexes. Calls keep searching the previous text until the new one is completely indexed.',
    tags,
    access: 'apiKey',
    params: VectorParams,
    body: VectorBody,
    responses: { 200: saved },
    errors: [404, 413, 503],
  }),
);

export const [listVectors, listVectorsV1] = alsoUnderV1(
  endpoint({
    method: 'get',
    path: '/vectors',
    summary: "List the organisation's knowledge bases",
    tags,
    access: 'apiKey',
    query: IncludeText,
    responses: { 200: { description: 'Newest first', schema: z.object({ vectors: z.array(VectorSummarySchema) }) } },
  }),
);

export const [getVector, getVectorV1] = alsoUnderV1(
  endpoint({
    method: 'get',
    path: '/vectors/{vector_id}',
    summary: 'Read a knowledge base and its indexing status',
    tags,
    access: 'apiKey',
    params: VectorParams,
    query: IncludeText,
    responses: { 200: { description: 'The knowledge base', schema: VectorDetailSchema } },
    errors: [404],
  }),
);

export const [deleteVector, deleteVectorV1] = alsoUnderV1(
  endpoint({
    method: 'post',
    path: '/vectors/{vector_id}/delete',
    summary: 'Delete a knowledge base',
    description: 'Stops its indexing and removes it with its passages. Calls already running that search it get "no longer exists".',
    tags,
    access: 'apiKey',
    params: VectorParams,
    responses: { 200: { description: 'Deleted (both of the seed\'s answers in one)', schema: z.object({ vector_id: z.string(), message: z.literal('Vector deleted') }) } },
    errors: [404],
  }),
);

export const KNOWLEDGE_BASE_ENDPOINTS = [
  createVector, createVectorV1, uploadVector, uploadVectorV1, updateVector, updateVectorV1, listVectors, listVectorsV1, getVector, getVectorV1, deleteVector, deleteVectorV1,
];
