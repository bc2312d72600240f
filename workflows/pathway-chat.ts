import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import type { NewCallEvent } from '../src/db/call-events';
import { initialState } from '../src/pathway/routing';
import type { PathwayState } from '../src/pathway/types';
import {
  callStateQuery,
  type CallWorkflowInput,
  type CallWorkflowResult,
  stopCallSignal,
  type TranscriptLine,
} from '../src/workflow-api/call';
import {
  DEFAULT_CHAT_IDLE_TIMEOUT_MS,
  MAX_CHAT_MESSAGE_CHARS,
  type PathwayChatReply,
  pathwayChatUpdate,
} from '../src/workflow-api/pathway';
import { records } from './activity-proxies';
import { runPathwayStep } from './pathway-step';

/**
 * Frozen: chats started before chatWorkflow (workflows/chat.ts) ran this inside callWorkflow, and
 * their histories must keep replaying it unchanged. New chats run on the conversation engine.
 *
 * A pathway chat: the call workflow on the `chat` channel, with no telephony. Each message is an
 * update that runs one pathway turn and answers with the reply, the current node and the history.
 * The chat ends at an End Call or Transfer Call node, on stop, or after an idle timeout.
 */
export async function pathwayChatWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  const run = input.pathway;
  if (!run) throw new Error('A chat needs a pathway');
  const ref = { orgId: input.orgId, callId: input.callId };
  const transcript: TranscriptLine[] = [];
  const writes: Promise<unknown>[] = [];
  let state: PathwayState = initialState();
  let node: { id: string; name: string } | null = null;
  let variables: Record<string, unknown> = {};
  let ended = false;
  let stopReason: string | null = null;
  let busy = false;
  let messages = 0;
  let turns = 0;

  const writeBehind = (p: Promise<unknown>) => writes.push(p.then(() => null, (err: unknown) => err));
  // Log snapshots are written in order, so an older snapshot never lands after a newer one.
  let logWrites: Promise<unknown> = Promise.resolve();
  const saveLogs = (logs: PathwayState['logs']) => {
    const write = () => records.updateCall({ ...ref, set: { pathway_logs: logs }, events: [] });
    logWrites = logWrites.then(write, write);
    writeBehind(logWrites);
  };
  const line = (user: TranscriptLine['user'], text: string) =>
    transcript.push({ seq: transcript.length, user, text, at: new Date().toISOString() });
  const history = () =>
    transcript
      .filter((l) => l.user === 'user' || l.user === 'assistant')
      .map((l) => ({ role: l.user === 'user' ? ('user' as const) : ('assistant' as const), content: l.text }));

  setHandler(callStateQuery, () => ({
    callId: input.callId, attempt: 0, queueStatus: ended ? 'complete' : 'started', providerStatus: null, providerCallSid: null,
    answeredBy: null, turn: turns, variables: { ...variables, ...state.variables }, transcript, pathwayNode: node,
  }));
  setHandler(stopCallSignal, ({ reason }) => {
    stopReason ??= reason;
  });

  setHandler(
    pathwayChatUpdate,
    async ({ message }): Promise<PathwayChatReply> => {
      messages += 1;
      // One turn at a time: a second message waits for the first one's answer.
      await condition(() => !busy);
      busy = true;
      try {
        const firstNew = transcript.length;
        if (message.trim()) line('user', message.trim());
        let step;
        try {
          step = await runPathwayStep(ref, run, state, transcript, variables, input.model);
        } catch (err) {
          // A failed turn leaves no trace in the conversation: the caller may simply send it again.
          transcript.length = firstNew;
          throw err;
        }
        for (const s of step.say) if (s) line('assistant', s);
        state = step.final.state;
        node = step.final.node;
        turns += 1;
        const events: NewCallEvent[] = [
          { level: 'call', category: 'performance', message: `Pathway turn ${turns} at "${node.name}": model ${Math.round(step.modelMs)} ms` },
          // A refused or failed webhook node is an outcome the pathway handles; the operator still sees why.
          ...step.webhooks.map(({ nodeId, outcome }): NewCallEvent => ({
            level: 'webhook',
            category: outcome.ok ? 'info' : 'error',
            message: outcome.ok ? `Webhook node ${nodeId}: HTTP ${outcome.status}` : `Webhook node ${nodeId} failed: ${outcome.error ?? 'error'}`,
          })),
        ];
        if (step.final.action === 'end' || step.final.action === 'transfer') {
          ended = true;
          const what = step.final.action === 'end' ? 'End Call node reached' : `Transfer Call node reached (transfer to ${step.final.transferTo || 'nobody'} is not dialled in a chat)`;
          events.push({ level: 'call', category: 'info', message: what });
        }
        writeBehind(records.recordTurn({ ...ref, lines: transcript.slice(firstNew), events }));
        saveLogs(state.logs);
        return {
          assistantResponse: step.say.filter(Boolean).join(' '),
          currentNodeId: node.id,
          currentNodeName: node.name,
          chatHistory: history(),
          ended,
        };
      } finally {
        busy = false;
      }
    },
    {
      validator: ({ message }) => {
        if (ended || stopReason !== null) throw new Error('This chat has ended');
        if (typeof message !== 'string' || message.length > MAX_CHAT_MESSAGE_CHARS) throw new Error(`message must be a string of at most ${MAX_CHAT_MESSAGE_CHARS} characters`);
      },
    },
  );

  variables = await records.resolveVariables({ ...ref, to: input.to, from: input.from, timezone: input.timezone, requestData: input.requestData });
  writeBehind(records.updateCall({ ...ref, set: { queue_status: 'started', status: 'in-progress', started_at: new Date() }, events: [{ level: 'call', category: 'info', message: 'Pathway chat started' }] }));

  const idleMs = run.chatIdleTimeoutMs ?? DEFAULT_CHAT_IDLE_TIMEOUT_MS;
  let why = 'ended';
  for (let seen = 0; ; ) {
    const woke = await condition(() => ended || stopReason !== null || messages !== seen, idleMs);
    if (ended) break;
    if (stopReason !== null) { why = `stopped: ${stopReason}`; break; }
    if (!woke && !busy) { why = 'idle timeout'; break; }
    seen = messages;
  }
  await condition(() => !busy);
  await condition(allHandlersFinished);
  const failures = (await Promise.all(writes)).filter((r) => r !== null);
  const queueStatus = failures.length > 0 ? 'complete_error' : 'complete';
  await records.finalizeCall({
    ...ref,
    set: {
      queue_status: queueStatus, status: 'completed', completed: true, ended_at: new Date(), pathway_logs: state.logs,
      call_ended_by: ended ? 'ASSISTANT' : null, error_message: failures.length > 0 ? 'Some chat records could not be written.' : null,
    },
    events: [{ level: 'call', category: 'info', message: `Pathway chat ${why}` }],
  });
  return {
    callId: input.callId, queueStatus, status: 'completed', answeredBy: null, callEndedBy: ended ? 'ASSISTANT' : null,
    turns, errorMessage: null,
  };
}
