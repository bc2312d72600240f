import { allHandlersFinished, ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  callStateQuery,
  type CallWorkflowInput,
  type CallWorkflowResult,
  stopCallSignal,
} from '../src/workflow-api/call';
import {
  CHAT_ENDED,
  CHAT_TURN_FAILED,
  type ChatHistoryEntry,
  DEFAULT_CHAT_IDLE_TIMEOUT_MS,
  MAX_CHAT_MESSAGE_CHARS,
  type PathwayChatReply,
  pathwayChatUpdate,
} from '../src/workflow-api/pathway';
import { records } from './activity-proxies';
import { Conversation } from './conversation';
import { currentEngine } from './engine-version';
import { typedTurnFailure, untilSaid } from './text-turn';

/**
 * `call-<chat_id>` of type chatWorkflow: a pathway chat, the text channel of the one conversation
 * engine, with no telephony. Each message is an update that runs the turn, waits for any work it
 * started (a webhook node) and its follow-up, and answers with everything the agent said, the
 * current node and the history. The chat ends at an End Call or Transfer Call node, on stop, or
 * after an idle timeout. (Chats started before this type ran inside callWorkflow; see pathway-chat.ts.)
 */
export async function chatWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  if (!input.pathway) throw new Error('A chat needs a pathway');
  let ended = false;
  let transferNote: string | null = null;
  let stopReason: string | null = null;
  let busy = false;
  let messages = 0;
  const conversation = new Conversation(input, {
    agentEnds: () => {
      ended = true;
    },
    transferTo: (number) => {
      ended = true;
      transferNote = `Transfer Call node reached (transfer to ${number} is not dialled in a chat)`;
    },
    transferFailed: (error) => {
      transferNote = error;
    },
  }, currentEngine(input));

  const history = (): ChatHistoryEntry[] =>
    conversation.transcript
      .filter((l) => l.user === 'user' || l.user === 'assistant')
      .map((l) => ({ role: l.user === 'user' ? ('user' as const) : ('assistant' as const), content: l.text }));

  setHandler(callStateQuery, () => ({
    callId: input.callId, attempt: 0, queueStatus: ended ? 'complete' : 'started', providerStatus: null, providerCallSid: null,
    answeredBy: null, turn: conversation.turnCount, variables: { ...conversation.variables, ...conversation.pathwayVariables },
    transcript: [...conversation.transcript], pathwayNode: conversation.pathwayNode, ...conversation.unrecorded,
  }));
  setHandler(stopCallSignal, ({ reason }) => {
    stopReason ??= reason;
  });

  setHandler(
    pathwayChatUpdate,
    async ({ message }): Promise<PathwayChatReply> => {
      messages += 1;
      // One message at a time: a second one waits for the first one's answer.
      await condition(() => !busy);
      busy = true;
      try {
        let turn: Awaited<ReturnType<typeof untilSaid>>;
        try {
          // A chat has no "please hold": it waits for the work and says the follow-up in the same answer.
          turn = await untilSaid(conversation, conversation.hear(message));
        } catch (err) {
          throw typedTurnFailure(err, CHAT_TURN_FAILED);
        }
        const { reply, said } = turn;
        if (transferNote) {
          conversation.note('info', transferNote);
          transferNote = null;
        }
        if (reply.action === 'end' || reply.action === 'transfer') ended = true;
        if (reply.action === 'end') conversation.note('info', 'End Call node reached');
        const node = conversation.pathwayNode;
        return {
          assistantResponse: said.join(' '),
          currentNodeId: node?.id ?? null,
          currentNodeName: node?.name ?? null,
          chatHistory: history(),
          ended,
        };
      } finally {
        busy = false;
      }
    },
    {
      validator: ({ message }) => {
        if (ended || stopReason !== null) throw ApplicationFailure.nonRetryable('This chat has ended', CHAT_ENDED);
        if (typeof message !== 'string' || message.length > MAX_CHAT_MESSAGE_CHARS) throw new Error(`message must be a string of at most ${MAX_CHAT_MESSAGE_CHARS} characters`);
      },
    },
  );

  conversation.useVariables(
    await records.resolveVariables({ ...conversation.ref, to: input.to, from: input.from, timezone: input.timezone, requestData: input.requestData }),
  );
  conversation.writeBehind(
    records.updateCall({
      ...conversation.ref,
      set: { queue_status: 'started', status: 'in-progress', started_at: new Date() },
      events: [{ level: 'call', category: 'info', message: 'Pathway chat started' }],
    }),
  );

  const idleMs = input.pathway.chatIdleTimeoutMs ?? DEFAULT_CHAT_IDLE_TIMEOUT_MS;
  let why = 'ended';
  for (let seen = 0; ; ) {
    const woke = await condition(() => ended || stopReason !== null || messages !== seen, idleMs);
    if (ended) break;
    if (stopReason !== null) {
      why = `stopped: ${stopReason}`;
      break;
    }
    if (!woke && !busy) {
      why = 'idle timeout';
      break;
    }
    seen = messages;
  }
  await condition(() => !busy);
  await condition(allHandlersFinished);
  await conversation.settleWork();
  const failures = await conversation.settleWrites();
  const queueStatus = failures.length > 0 ? 'complete_error' : 'complete';
  await conversation.finalRecord(
    {
      queue_status: queueStatus, status: 'completed', completed: true, ended_at: new Date(),
      call_ended_by: ended ? 'ASSISTANT' : null, error_message: failures.length > 0 ? 'Some chat records could not be written.' : null,
    },
    [{ level: 'call', category: 'info', message: `Pathway chat ${why}` }],
  );
  return {
    callId: input.callId, queueStatus, status: 'completed', answeredBy: null, callEndedBy: ended ? 'ASSISTANT' : null,
    turns: conversation.turnCount, errorMessage: null,
  };
}
