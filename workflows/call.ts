import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NewCallEvent } from '../src/db/call-events';
import type { AnsweredBy, QueueStatus } from '../src/db/types';
import { renderTemplate } from '../src/templating';
import {
  type AgentReply,
  type CallLiveState,
  type CallWorkflowInput,
  type CallWorkflowResult,
  callAnsweredUpdate,
  callStateQuery,
  stopCallSignal,
  type TelephonyStatus,
  TERMINAL_TELEPHONY_STATUSES,
  telephonyStatusSignal,
  type TranscriptLine,
  userTurnUpdate,
} from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import { callOutcome } from './call-outcome';

const records = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});
const carrier = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});
const agent = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '300 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 4 },
});

const MAX_UTTERANCE_CHARS = 4000;
const HANGUP_GRACE_MS = 30_000;

/** `call-<call_id>`: one phone call from acceptance to its final record. */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  const ref = { orgId: input.orgId, callId: input.callId };
  const state = {
    queueStatus: 'queued' as QueueStatus,
    providerStatus: null as TelephonyStatus | null,
    providerCallSid: null as string | null,
    terminal: null as TelephonyStatus | null,
    durationSeconds: null as number | null,
    answeredBy: null as AnsweredBy,
    answeredAt: null as Date | null,
    endedAt: null as Date | null,
    stopReason: null as string | null,
    endedByAgent: false,
    variables: {} as Record<string, unknown>,
    transcript: [] as TranscriptLine[],
    turn: 0,
  };
  // Read-model writes run behind the conversation; their failures are collected, not dropped.
  const pendingWrites: Promise<unknown>[] = [];
  const writeBehind = (p: Promise<void>) => pendingWrites.push(p.then(() => null, (err: unknown) => err));

  const setStatus = (queueStatus: QueueStatus) => {
    state.queueStatus = queueStatus;
    upsertSearchAttributes([{ key: SA.CallStatus, value: queueStatus }]);
  };
  const say = (user: TranscriptLine['user'], text: string): TranscriptLine => {
    const line = { seq: state.transcript.length, user, text, at: new Date().toISOString() };
    state.transcript.push(line);
    return line;
  };
  const sidMatches = (sid: string) => state.providerCallSid === null || state.providerCallSid === sid;
  const isLive = () => state.queueStatus === 'started' && state.terminal === null;

  setHandler(callStateQuery, (): CallLiveState => ({
    callId: input.callId,
    queueStatus: state.queueStatus,
    providerStatus: state.providerStatus,
    providerCallSid: state.providerCallSid,
    answeredBy: state.answeredBy,
    turn: state.turn,
    variables: state.variables,
    transcript: state.transcript,
  }));

  setHandler(telephonyStatusSignal, (event) => {
    if (!sidMatches(event.providerCallSid)) return;
    state.providerCallSid ??= event.providerCallSid;
    state.providerStatus = event.status;
    if (TERMINAL_TELEPHONY_STATUSES.includes(event.status) && state.terminal === null) {
      state.terminal = event.status;
      state.durationSeconds = event.durationSeconds;
      state.endedAt = new Date();
    }
  });

  setHandler(stopCallSignal, ({ reason }) => {
    state.stopReason ??= reason;
  });

  setHandler(
    callAnsweredUpdate,
    async ({ providerCallSid }): Promise<AgentReply> => {
      state.providerCallSid ??= providerCallSid;
      state.answeredAt = new Date();
      setStatus('started');
      const endAt = new Date(state.answeredAt.getTime() + input.maxDurationMinutes * 60_000);
      writeBehind(
        records.updateCall({
          ...ref,
          set: { queue_status: 'started', status: 'in-progress', started_at: state.answeredAt, end_at: endAt },
          events: [{ level: 'call', category: 'info', message: 'Call answered' }],
        }),
      );
      if (input.firstSentence) return speak(renderTemplate(input.firstSentence, state.variables), 0);
      if (input.waitForGreeting) return { say: '', action: 'continue', modelMs: 0, language: input.language, voice: input.voice };
      return runTurn(state.transcript.length);
    },
    {
      validator: ({ providerCallSid }) => {
        if (!sidMatches(providerCallSid)) throw new Error('Call SID does not match this call');
        if (state.queueStatus === 'started' || state.terminal !== null) throw new Error('Call is not ringing');
      },
    },
  );

  setHandler(
    userTurnUpdate,
    async ({ text }): Promise<AgentReply> => {
      const firstNew = state.transcript.length;
      const trimmed = text.trim();
      if (trimmed) say('user', trimmed);
      return runTurn(firstNew);
    },
    {
      validator: ({ providerCallSid, text }) => {
        if (!sidMatches(providerCallSid)) throw new Error('Call SID does not match this call');
        if (!isLive()) throw new Error('Call is not in conversation');
        if (typeof text !== 'string' || text.length > MAX_UTTERANCE_CHARS) throw new Error('Invalid utterance');
      },
    },
  );

  /** `firstNew`: the first transcript line this turn added, so the record gets the caller's line too. */
  async function runTurn(firstNew: number): Promise<AgentReply> {
    const reply = await agent.agentTurn({
      ...ref,
      task: input.task,
      variables: state.variables,
      transcript: state.transcript,
      model: input.model,
      temperature: input.temperature,
      language: input.language,
    });
    return speak(reply.say, reply.modelMs, reply.action, firstNew);
  }

  function speak(text: string, modelMs: number, action: AgentReply['action'] = 'continue', firstNew = state.transcript.length): AgentReply {
    if (text) say('assistant', text);
    if (action === 'end') state.endedByAgent = true;
    state.turn += 1;
    const events: NewCallEvent[] = [
      { level: 'call', category: 'performance', message: `Agent turn ${state.turn}: model ${Math.round(modelMs)} ms` },
    ];
    writeBehind(records.recordTurn({ ...ref, lines: state.transcript.slice(firstNew), events }));
    return { say: text, action, modelMs, language: input.language, voice: input.voice };
  }

  // 1. Scheduled start: a durable sleep that a stop can cut short.
  if (input.startTime) {
    const delayMs = Date.parse(input.startTime) - Date.now();
    if (delayMs > 0) await condition(() => state.stopReason !== null, delayMs);
  }

  if (state.stopReason === null) {
    // 2. Variables, then 3. dial.
    state.variables = await records.resolveVariables({
      ...ref,
      to: input.to,
      from: input.from,
      timezone: input.timezone,
      requestData: input.requestData,
    });
    setStatus('allocated');
    await records.updateCall({
      ...ref,
      set: { queue_status: 'allocated' },
      events: [{ level: 'call', category: 'info', message: 'Dialling' }],
    });
    const placed = await carrier.placeCall({
      ...ref,
      to: input.to,
      from: input.from,
      webhookBaseUrl: input.webhookBaseUrl,
      timeoutSeconds: input.ringTimeoutSeconds,
      record: input.record,
      machineDetection: false,
      encryptedKey: input.encryptedKey,
    });
    state.providerCallSid ??= placed.providerCallSid;

    // 4. Ringing until answered, a terminal status, a stop or the ring timeout (with slack for the carrier's own).
    const settled = await condition(
      () => state.queueStatus === 'started' || state.terminal !== null || state.stopReason !== null,
      (input.ringTimeoutSeconds + 30) * 1000,
    );
    if (!settled) state.stopReason = 'ring timeout';

    // 5. Conversation until the line drops, a stop, or max_duration.
    if (state.queueStatus === 'started' && state.terminal === null && state.stopReason === null) {
      const endedInTime = await condition(
        () => state.terminal !== null || state.stopReason !== null,
        input.maxDurationMinutes * 60_000,
      );
      if (!endedInTime) state.stopReason = 'max_duration';
    }
    if (state.terminal === null && state.providerCallSid) {
      await carrier.hangUpCall({ providerCallSid: state.providerCallSid });
      await condition(() => state.terminal !== null, HANGUP_GRACE_MS);
    }
  }

  // 6. Final record, once every turn handler and write-behind has finished.
  await condition(allHandlersFinished);
  const writeFailures = (await Promise.all(pendingWrites)).filter((r) => r !== null);
  const outcome = callOutcome({
    answered: state.answeredAt !== null,
    terminal: state.terminal,
    stopReason: state.stopReason,
    endedByAgent: state.endedByAgent,
    answeredBy: state.answeredBy,
  });
  const endedAt = state.endedAt ?? new Date();
  // Our own clock for the length (the carrier rounds to whole seconds); the carrier's for the billed seconds.
  const measuredSeconds = state.answeredAt ? (endedAt.getTime() - state.answeredAt.getTime()) / 1000 : 0;
  const billedSeconds = state.durationSeconds ?? Math.round(measuredSeconds);
  const queueStatus = writeFailures.length > 0 && outcome.queueStatus === 'complete' ? 'complete_error' : outcome.queueStatus;
  const errorMessage = writeFailures.length > 0 ? 'Some call records could not be written.' : outcome.errorMessage;
  setStatus(queueStatus);
  if (outcome.answeredBy) upsertSearchAttributes([{ key: SA.AnsweredBy, value: outcome.answeredBy }]);
  upsertMemo({ summary: `${outcome.status}; ${state.turn} turns; ended by ${outcome.callEndedBy ?? 'nobody'}` });
  await records.finalizeCall({
    ...ref,
    set: {
      queue_status: queueStatus,
      status: outcome.status,
      completed: true,
      answered_by: outcome.answeredBy,
      call_ended_by: outcome.callEndedBy,
      error_message: errorMessage,
      ended_at: endedAt,
      call_length: Math.round((measuredSeconds / 60) * 10_000) / 10_000,
      corrected_duration: String(billedSeconds),
    },
    events: [
      {
        level: 'call',
        category: queueStatus === 'complete' ? 'info' : 'error',
        message: `Call ended: ${outcome.status}${outcome.callEndedBy ? ` by ${outcome.callEndedBy}` : ''}`,
      },
    ],
  });
  return {
    callId: input.callId,
    queueStatus,
    status: outcome.status,
    answeredBy: outcome.answeredBy,
    callEndedBy: outcome.callEndedBy,
    turns: state.turn,
    errorMessage,
  };
}
