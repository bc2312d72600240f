import { Router } from 'express';
import type { PathwayChatReply } from '../../src/workflow-api/pathway';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createChat, getChat, sendChatMessage } from '../endpoints/pathway-chat';
import { notFound } from '../errors';
import { liveCallState } from '../services/live-call';
import { sendPathwayChatMessage, startPathwayChat, type ChatDoc } from '../services/pathway-chat';

/** The seed shows both spellings of the reply's keys; both are sent. */
function chatReplyBody(chatId: string, pathwayId: string, r: PathwayChatReply) {
  return {
    status: 'success',
    chat_id: chatId,
    assistant_response: r.assistantResponse,
    current_node_id: r.currentNodeId,
    current_node_name: r.currentNodeName,
    chat_history: r.chatHistory,
    pathway_id: pathwayId,
    chat_ended: r.ended,
    'Assistant Response': r.assistantResponse,
    'Current Node ID': r.currentNodeId,
    'Current Node Name': r.currentNodeName,
    'Chat History': r.chatHistory,
    'Pathway ID': pathwayId,
  };
}

/** /v1/pathway/chat: a chat is a conversation workflow on the `chat` channel; each message is an update. */
export function pathwayChatRouter(deps: ApiDeps): Router {
  const router = Router();
  const calls = deps.db.collections.calls;

  const chatOf = async (orgId: string, id: string): Promise<ChatDoc> => {
    const doc = (await calls.findOne({ _id: id, org_id: orgId })) as ChatDoc | null;
    if (!doc || doc.channel !== 'chat') throw notFound('Chat not found.');
    return doc;
  };

  mountEndpoint(router, createChat, async ({ body }, req, res) => {
    const chatId = await startPathwayChat(deps, req.orgId, {
      pathwayId: body.pathway_id,
      startNodeId: body.start_node_id || null,
      version: body.version ?? body.pathway_version ?? null,
      requestData: body.request_data ?? {},
      idleTimeoutSeconds: body.idle_timeout_seconds ?? null,
    });
    res.json({ status: 'success', chat_id: chatId, message: 'Chat instance created successfully' });
  });

  mountEndpoint(router, sendChatMessage, async ({ params, body }, req, res) => {
    const chat = await chatOf(req.orgId, params.chat_id);
    const reply = await sendPathwayChatMessage(deps, chat, body.message ?? body.Message ?? '');
    res.json(chatReplyBody(chat._id, chat.pathway_id, reply));
  });

  mountEndpoint(router, getChat, async ({ params }, req, res) => {
    const chat = await chatOf(req.orgId, params.chat_id);
    // A live chat's latest messages are written in batches; until then they come from its workflow.
    const live = await liveCallState(deps, chat);
    const lines = live ? live.transcript : await deps.db.collections.transcripts.find({ org_id: req.orgId, call_id: chat._id }).sort({ seq: 1 }).toArray();
    const data = lines
      .filter((l) => l.user === 'user' || l.user === 'assistant')
      .map((l) => ({ role: l.user, content: l.text }));
    res.json({ errors: null, data });
  });

  return router;
}
