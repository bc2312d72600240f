import { ActivityFailure, ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Router } from 'express';
import { callWorkflowInput } from '../../src/calls/call-input';
import { newCallDoc } from '../../src/calls/call-doc';
import type { CallDoc } from '../../src/db/types';
import { callWorkflowId, newCallId } from '../../src/ids';
import type { CallWorkflowInput } from '../../src/workflow-api/call';
import { CHAT_TURN_FAILED, MAX_CHAT_MESSAGE_CHARS, pathwayChatUpdate, type PathwayChatReply } from '../../src/workflow-api/pathway';
import { callStartAttributes } from '../../src/workflow-api/search-attributes';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, conflict, notFound, unavailable } from '../errors';
import { isPlainObject, obj } from '../schemas/field-checks';
import { resolveCallPathway } from '../services/call-pathway';
import { liveCallState } from '../services/live-call';

type ChatDoc = CallDoc & { channel: 'chat'; pathway_id: string; pathway_version_id: string };

const optionalString = (body: Record<string, unknown>, key: string, errors: string[]): string | null => {
  const v = body[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') errors.push(`${key} must be a string.`);
  return typeof v === 'string' ? v : null;
};

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

/** /v1/pathway/chat: a chat is a call workflow on the `chat` channel; each message is an update. */
export function pathwayChatRouter(deps: ApiDeps): Router {
  const router = Router();
  const calls = deps.db.collections.calls;

  const chatOf = async (orgId: string, id: string): Promise<ChatDoc> => {
    const doc = (await calls.findOne({ _id: id, org_id: orgId })) as ChatDoc | null;
    if (!doc || doc.channel !== 'chat') throw notFound('Chat not found.');
    return doc;
  };

  router.post('/v1/pathway/chat/create', async (req, res) => {
    if (!isPlainObject(req.body)) throw badRequest(['The request body must be a JSON object.']);
    const body = req.body;
    const errors: string[] = [];
    const pathwayId = optionalString(body, 'pathway_id', errors);
    if (!pathwayId && errors.length === 0) errors.push('pathway_id is required.');
    const startNodeId = optionalString(body, 'start_node_id', errors);
    const v = body.version ?? body.pathway_version;
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') errors.push('version must be a version number or id.');
    const idle = body.idle_timeout_seconds;
    if (idle !== undefined && !(typeof idle === 'number' && idle >= 1 && idle <= 86_400)) errors.push('idle_timeout_seconds must be a number from 1 to 86400.');
    // The same rule as a call's request_data: an object the store can hold (no '.', no leading '$', bounded size and depth).
    const requestDataProblem = body.request_data === undefined ? null : obj()(body.request_data, 'request_data');
    if (requestDataProblem) errors.push(requestDataProblem);
    if (errors.length > 0) throw badRequest(errors);

    const run = await resolveCallPathway(deps, req.orgId, { pathway_id: pathwayId, pathway_version: v, start_node_id: startNodeId });
    if (!run) throw badRequest(['pathway_id is required.']);
    const chatId = newCallId();
    const base = callWorkflowInput(
      { callId: chatId, orgId: req.orgId, batchId: null },
      { to: '', from: '', body: { request_data: body.request_data ?? {} }, encryptedKey: null, webhookBaseUrl: deps.publicBaseUrl },
      deps.callDefaults,
    );
    const input: CallWorkflowInput = {
      ...base,
      channel: 'chat',
      pathway: { ...run, ...(typeof idle === 'number' ? { chatIdleTimeoutMs: Math.round(idle * 1000) } : {}) },
    };
    const doc: ChatDoc = {
      ...newCallDoc(input, { body: { request_data: input.requestData }, queueStatus: 'queued', endpointUrl: deps.publicBaseUrl, simulated: false, now: new Date() }),
      request_data: input.requestData,
      channel: 'chat', pathway_id: run.pathwayId, pathway_version_id: run.versionId,
    };
    await calls.insertOne(doc);
    try {
      await deps.temporal.workflow.start('chatWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: callWorkflowId(chatId),
        args: [input],
        typedSearchAttributes: callStartAttributes(input, null),
        memo: { summary: `Pathway chat on ${run.pathwayId} v${run.versionNumber}`, org_id: req.orgId },
      });
    } catch (err) {
      await calls.updateOne({ _id: chatId, org_id: req.orgId }, { $set: { queue_status: 'pre_queue_error', completed: true, error_message: 'The chat could not be started.' } });
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`Chat ${chatId} was already started.`);
      deps.logger.error({ err, chatId }, 'chat workflow start failed');
      throw unavailable('The chat could not be started; try again.');
    }
    res.json({ status: 'success', chat_id: chatId, message: 'Chat instance created successfully' });
  });

  router.post('/v1/pathway/chat/:id', async (req, res) => {
    const chat = await chatOf(req.orgId, String(req.params.id));
    const body = isPlainObject(req.body) ? req.body : null;
    if (!body) throw badRequest(['The request body must be a JSON object.']);
    const message = body.message ?? body.Message ?? '';
    if (typeof message !== 'string') throw badRequest(['message must be a string.']);
    if (message.length > MAX_CHAT_MESSAGE_CHARS) throw badRequest([`message must be at most ${MAX_CHAT_MESSAGE_CHARS} characters.`]);
    if (chat.completed) throw new ApiError(409, 'This chat has ended.');
    let reply: PathwayChatReply;
    try {
      reply = await deps.temporal.workflow.getHandle(chat.workflow_id).executeUpdate(pathwayChatUpdate, { args: [{ message }] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && /ended/.test(String(err.cause?.message)))) {
        throw new ApiError(409, 'This chat has ended.');
      }
      // The turn itself failed (the model or the store kept failing after retries): not the caller's fault.
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === CHAT_TURN_FAILED) {
        throw new ApiError(502, 'The agent could not answer; try again.', [err.cause.message]);
      }
      // The same, from a chat started before chatWorkflow (its turn failures arrive as the activity's failure).
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ActivityFailure) {
        throw new ApiError(502, 'The agent could not answer; try again.', [err.cause.cause?.message ?? err.cause.message]);
      }
      if (err instanceof WorkflowUpdateFailedError) throw badRequest([err.cause?.message ?? 'The message was refused.']);
      // A finished workflow refuses updates with a gRPC error rather than WorkflowNotFoundError.
      if (err instanceof Error && /completed|already finished|not found/i.test(err.message)) throw new ApiError(409, 'This chat has ended.');
      throw err;
    }
    res.json(chatReplyBody(chat._id, chat.pathway_id, reply));
  });

  router.get('/v1/pathway/chat/:id', async (req, res) => {
    const chat = await chatOf(req.orgId, String(req.params.id));
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
