import { ActivityFailure, ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { callWorkflowInput } from '../../src/calls/call-input';
import { newCallDoc } from '../../src/calls/call-doc';
import type { CallDoc } from '../../src/db/types';
import { callWorkflowId, newCallId } from '../../src/ids';
import type { CallWorkflowInput } from '../../src/workflow-api/call';
import { CHAT_ENDED, CHAT_TURN_FAILED, pathwayChatUpdate, type PathwayChatReply } from '../../src/workflow-api/pathway';
import { callStartAttributes } from '../../src/workflow-api/search-attributes';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, conflict, unavailable } from '../errors';
import { resolveCallPathway } from './call-pathway';

/** A pathway chat: a call document on the `chat` channel, run by `chatWorkflow`. */
export type ChatDoc = CallDoc & { channel: 'chat'; pathway_id: string; pathway_version_id: string };

export interface NewChat {
  pathwayId: string;
  startNodeId: string | null;
  /** A version number or id; null runs production, else the latest saved. */
  version: string | number | null;
  requestData: Record<string, unknown>;
  idleTimeoutSeconds: number | null;
}

/**
 * Starts a chat: the pathway version is fixed first (404 for a missing pathway or version, 400 for
 * a bad start node), the chat is stored queued, then its workflow starts; a start that fails marks
 * the stored chat as never started.
 */
export async function startPathwayChat(deps: ApiDeps, orgId: string, chat: NewChat): Promise<string> {
  const calls = deps.db.collections.calls;
  const run = await resolveCallPathway(deps, orgId, { pathway_id: chat.pathwayId, pathway_version: chat.version, start_node_id: chat.startNodeId });
  if (!run) throw badRequest(['pathway_id is required.']);
  const chatId = newCallId();
  const base = callWorkflowInput(
    { callId: chatId, orgId, batchId: null },
    { to: '', from: '', body: { request_data: chat.requestData }, encryptedKey: null, webhookBaseUrl: deps.publicBaseUrl },
    deps.callDefaults,
  );
  const input: CallWorkflowInput = {
    ...base,
    channel: 'chat',
    pathway: { ...run, ...(chat.idleTimeoutSeconds !== null ? { chatIdleTimeoutMs: Math.round(chat.idleTimeoutSeconds * 1000) } : {}) },
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
      memo: { summary: `Pathway chat on ${run.pathwayId} v${run.versionNumber}`, org_id: orgId },
    });
  } catch (err) {
    await calls.updateOne({ _id: chatId, org_id: orgId }, { $set: { queue_status: 'pre_queue_error', completed: true, error_message: 'The chat could not be started.' } });
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`Chat ${chatId} was already started.`);
    deps.logger.error({ err, chatId }, 'chat workflow start failed');
    throw unavailable('The chat could not be started; try again.');
  }
  return chatId;
}

const chatEnded = () => new ApiError(409, 'This chat has ended.');

/**
 * One message of a chat, as an update of its workflow. Failures are told apart by type: a turn that
 * failed after its retries (the model, the store) is a 502 and the chat goes on; a workflow that is
 * gone, or one that refuses the message because it has ended (CHAT_ENDED), is a 409.
 */
export async function sendPathwayChatMessage(deps: ApiDeps, chat: ChatDoc, message: string): Promise<PathwayChatReply> {
  if (chat.completed) throw chatEnded();
  try {
    return await deps.temporal.workflow.getHandle(chat.workflow_id).executeUpdate(pathwayChatUpdate, { args: [{ message }] });
  } catch (err) {
    // A finished workflow refuses updates with NOT_FOUND, which the client raises as WorkflowNotFoundError.
    if (err instanceof WorkflowNotFoundError) throw chatEnded();
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    if (err.cause instanceof ApplicationFailure && err.cause.type === CHAT_ENDED) throw chatEnded();
    if (err.cause instanceof ApplicationFailure && err.cause.type === CHAT_TURN_FAILED) {
      throw new ApiError(502, 'The agent could not answer; try again.', [err.cause.message]);
    }
    // The same, from a chat started before chatWorkflow (its turn failures arrive as the activity's failure).
    if (err.cause instanceof ActivityFailure) {
      throw new ApiError(502, 'The agent could not answer; try again.', [err.cause.cause?.message ?? err.cause.message]);
    }
    // A chat started before chatWorkflow refuses a message only once it has ended, with an untyped failure.
    throw chatEnded();
  }
}
