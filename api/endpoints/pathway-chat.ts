import { z } from 'zod';
import { MAX_CHAT_MESSAGE_CHARS } from '../../src/workflow-api/pathway';
import { AS_IS, LABEL, num, obj, optional, str } from '../../src/validation/fields';
import { pathId, success } from '../contract/common';
import { endpoint } from '../contract/endpoint';

const BODY = { error: 'Request body must be a JSON object.' };
const tags = ['Pathway chat'];
const ChatParams = z.object({ chat_id: pathId('The chat_id returned by Create Chat') });

const PATHWAY_REQUIRED = `${AS_IS}pathway_id is required.`;
const versionRef = z
  .union([z.string().max(200), z.number()], { error: `${LABEL} must be a version number or id.` })
  .describe('A version number or a version id; absent: production, else the latest saved');

export const createChat = endpoint({
  method: 'post',
  path: '/v1/pathway/chat/create',
  summary: 'Create a pathway chat',
  description: 'A chat is a conversation workflow on the `chat` channel, running the pathway version fixed now.',
  tags,
  access: 'apiKey',
  body: z.object(
    {
      pathway_id: z
        .string({ error: (iss) => (iss.input === undefined || iss.input === null ? PATHWAY_REQUIRED : `${LABEL} must be a string.`) })
        .max(200, { error: `${LABEL} must be at most 200 characters.` })
        .refine((v) => v !== '', { error: PATHWAY_REQUIRED }),
      start_node_id: optional(str(200)).describe('Start here instead of the node marked isStart'),
      version: optional(versionRef),
      pathway_version: optional(versionRef).describe('The same as version'),
      request_data: optional(obj()).describe('Variables for the pathway\'s prompts, as on a call'),
      idle_timeout_seconds: optional(num(1, 86_400)).describe('An abandoned chat ends after this long without a message').meta({ default: 1800 }),
    },
    BODY,
  ),
  responses: { 200: { description: 'Created', schema: success({ chat_id: z.string() }) } },
  errors: [404, 409, 503],
});

const history = z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() }));

/** The seed shows both spellings of the reply's keys; both are sent. */
export const ChatReplySchema = z.object({
  status: z.literal('success'),
  chat_id: z.string(),
  assistant_response: z.string(),
  current_node_id: z.string().nullable(),
  current_node_name: z.string().nullable(),
  chat_history: history,
  pathway_id: z.string(),
  chat_ended: z.boolean().describe('An End Call or Transfer Call node was reached: the chat takes no more messages'),
  'Assistant Response': z.string(),
  'Current Node ID': z.string().nullable(),
  'Current Node Name': z.string().nullable(),
  'Chat History': history,
  'Pathway ID': z.string(),
});

export const sendChatMessage = endpoint({
  method: 'post',
  path: '/v1/pathway/chat/{chat_id}',
  summary: 'Send a chat message',
  description: 'Answers with the agent\'s reply, the current node and the history. An empty message lets the agent speak first.',
  tags,
  access: 'apiKey',
  params: ChatParams,
  body: z.object(
    {
      message: optional(str(MAX_CHAT_MESSAGE_CHARS)).meta({ default: '' }),
      Message: optional(str(MAX_CHAT_MESSAGE_CHARS)).describe('The same as message (the seed\'s spelling)'),
    },
    BODY,
  ),
  responses: { 200: { description: 'The agent\'s answer', schema: ChatReplySchema } },
  errors: [404, 409, 502],
});

export const getChat = endpoint({
  method: 'get',
  path: '/v1/pathway/chat/{chat_id}',
  summary: 'Chat history',
  tags,
  access: 'apiKey',
  params: ChatParams,
  responses: { 200: { description: 'The messages so far', schema: z.object({ errors: z.null(), data: history }) } },
  errors: [404],
});

export const PATHWAY_CHAT_ENDPOINTS = [createChat, sendChatMessage, getChat];
