import { ApplicationFailure, condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { UpdateCallInput } from '../activities/call-records';
import type { NewCallEvent } from '../src/db/call-events';
import type { QueueStatus } from '../src/db/types';
import {
  type AgentReply,
  amdResultSignal,
  type CallLiveState,
  type CallWorkflowInput,
  callAnsweredUpdate,
  callStateQuery,
  continueTurnUpdate,
  recordingReadySignal,
  stopCallSignal,
  TERMINAL_TELEPHONY_STATUSES,
  telephonyStatusSignal,
  transferStatusSignal,
  type TranscriptLine,
  turnGivenUpSignal,
  userTurnUpdate,
} from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import { records } from './activity-proxies';
import { AttemptState } from './call-attempt-state';
import { Conversation } from './conversation';
import { recordLocally } from './local-record';
import type { EngineVersion } from './engine-version';

const MAX_UTTERANCE_CHARS = 4000;

/**
 * The phone channel: a call's telephony state and its message handlers, around the one
 * conversation engine. The workflow function drives the phases; this class answers the carrier's
 * events (status, detection, transfer and recording signals; answer and turn updates) and the
 * live-state query, and hands the words to the conversation.
 */
export class CallSession {
  queueStatus: QueueStatus = 'queued';
  attempt = new AttemptState(0);
  stopReason: string | null = null;
  /** Carrier call SIDs of earlier attempts, whose late events must not touch the current one. */
  private readonly pastSids = new Set<string>();
  /**
   * An incoming call, and a call whose dial resolves its variables, answers only once its variables
   * are in place (the answer may arrive with the start, or while a slow dial is still retried).
   */
  private variablesInPlace = false;
  readonly conversation: Conversation;

  constructor(
    private readonly input: CallWorkflowInput,
    version: EngineVersion,
  ) {
    this.conversation = new Conversation(input, {
      agentEnds: () => {
        this.attempt.endedByAgent = true;
      },
      transferTo: (number) => {
        this.attempt.transferTo = number;
        this.attempt.endedByAgent = true;
      },
      transferFailed: (error) => {
        this.attempt.callError ??= error;
      },
    }, version);
    if (input.inbound) {
      // The caller's leg is the call's one attempt, open before the workflow starts.
      this.attempt = new AttemptState(1);
      this.attempt.providerCallSid = input.inbound.providerCallSid;
    }
  }

  get hasVariables(): boolean {
    return this.variablesInPlace;
  }

  /** The call's variables (an incoming call's system, caller context and dynamic_data ones; or the dial's) are in place: the first reply may be made. */
  variablesReady(): void {
    this.variablesInPlace = true;
  }

  get ref() {
    return this.conversation.ref;
  }

  get turn(): number {
    return this.conversation.turnCount;
  }

  newAttempt(): AttemptState {
    if (this.attempt.providerCallSid) this.pastSids.add(this.attempt.providerCallSid);
    this.attempt = new AttemptState(this.attempt.number + 1);
    return this.attempt;
  }

  setStatus(queueStatus: QueueStatus): void {
    this.queueStatus = queueStatus;
    upsertSearchAttributes([{ key: SA.CallStatus, value: queueStatus }]);
  }

  event(category: NewCallEvent['category'], message: string): void {
    this.conversation.note(category, message);
  }

  /** Lines said outside a turn (a voicemail left) are recorded the same way. */
  sayOutsideTurn(user: TranscriptLine['user'], text: string): void {
    this.conversation.recordSpoken(user, text);
  }

  /**
   * With `localDial` the dial runs in the workflow's own task, so a worker that dies mid-dial leaves no
   * trace of it in the history: the next worker replays the start together with the carrier's first
   * events about that dial (ringing, the answer), before it has dialled again. Those events wait
   * for the dial (which finds the carrier's call) rather than land on the placeholder attempt.
   */
  private beforeFirstDial(): boolean {
    return this.input.localDial === true && this.attempt.number === 0;
  }

  /** Runs a carrier event's handler now, or once the first dial has begun. */
  private afterFirstDial(handle: () => void): void | Promise<void> {
    if (!this.beforeFirstDial()) return handle();
    return condition(() => !this.beforeFirstDial()).then(handle);
  }

  private ours(sid: string): boolean {
    if (this.pastSids.has(sid)) return false;
    return this.attempt.providerCallSid === null || this.attempt.providerCallSid === sid;
  }

  registerHandlers(): void {
    setHandler(callStateQuery, (): CallLiveState => ({
      callId: this.input.callId,
      attempt: this.attempt.number,
      queueStatus: this.queueStatus,
      providerStatus: this.attempt.providerStatus,
      providerCallSid: this.attempt.providerCallSid,
      answeredBy: this.attempt.answeredBy,
      turn: this.conversation.turnCount,
      variables: this.conversation.variables,
      transcript: [...this.conversation.transcript],
      ...this.conversation.unrecorded,
      ...(this.input.pathway ? { pathwayNode: this.conversation.pathwayNode } : {}),
    }));
    setHandler(telephonyStatusSignal, (event) => this.afterFirstDial(() => {
      if (!this.ours(event.providerCallSid)) return;
      const a = this.attempt;
      a.providerCallSid ??= event.providerCallSid;
      a.providerStatus = event.status;
      if (TERMINAL_TELEPHONY_STATUSES.includes(event.status) && a.terminal === null) {
        a.terminal = event.status;
        a.durationSeconds = event.durationSeconds;
        a.endedAt = new Date();
      }
    }));

    setHandler(amdResultSignal, (event) => this.afterFirstDial(() => {
      if (this.ours(event.providerCallSid)) this.attempt.answeredBy = event.answeredBy;
    }));

    setHandler(transferStatusSignal, (event) => {
      if (!this.ours(event.providerCallSid) || !this.attempt.transferTo) return;
      if (event.status === 'completed' || event.status === 'in-progress') this.attempt.transferredTo = this.attempt.transferTo;
      else this.attempt.callError ??= `Transfer failed: the carrier reported "${event.status}" for the transfer number.`;
    });

    setHandler(recordingReadySignal, (event) => this.afterFirstDial(() => {
      if (this.pastSids.has(event.providerCallSid) || this.attempt.providerCallSid !== event.providerCallSid) return;
      this.attempt.recording = { sid: event.recordingSid, url: event.url };
    }));

    setHandler(stopCallSignal, ({ reason }) => {
      this.stopReason ??= reason;
    });

    // The caller heard holds, then the line went down: the call's record says why.
    setHandler(turnGivenUpSignal, ({ providerCallSid, holds }) => {
      const a = this.attempt;
      if (!this.ours(providerCallSid) || !a.answered || a.over) return;
      a.endedByAgent = true;
      a.callError ??= `The agent's reply was still not ready after ${holds} holds; the line was hung up.`;
    });

    const ringing = (providerCallSid: string) => {
      if (!this.ours(providerCallSid)) throw ApplicationFailure.nonRetryable('Call SID does not match this call');
      if (this.attempt.answered || this.attempt.over) throw ApplicationFailure.nonRetryable('Call is not ringing');
    };
    // The validator let an answer through before the first dial: it is checked once the dial has begun.
    const answerAfterFirstDial = async (providerCallSid: string) => {
      await condition(() => !this.beforeFirstDial());
      ringing(providerCallSid);
      return this.onAnswered(providerCallSid);
    };
    setHandler(
      callAnsweredUpdate,
      // Not an async wrapper: the answer's reply and the commands it starts keep their order in old histories.
      ({ providerCallSid }) => (this.beforeFirstDial() ? answerAfterFirstDial(providerCallSid) : this.onAnswered(providerCallSid)),
      { validator: ({ providerCallSid }) => (this.beforeFirstDial() ? undefined : ringing(providerCallSid)) },
    );

    setHandler(continueTurnUpdate, () => this.conversation.followUp(), {
      validator: ({ providerCallSid }) => {
        if (!this.ours(providerCallSid)) throw new Error('Call SID does not match this call');
        if (!this.attempt.answered || this.attempt.over) throw new Error('Call is not in conversation');
      },
    });

    setHandler(userTurnUpdate, ({ text }) => this.onUserTurn(text), {
      validator: ({ providerCallSid, text }) => {
        if (!this.ours(providerCallSid)) throw new Error('Call SID does not match this call');
        if (!this.attempt.answered || this.attempt.over) throw new Error('Call is not in conversation');
        if (typeof text !== 'string' || text.length > MAX_UTTERANCE_CHARS) throw new Error('Invalid utterance');
      },
    });
  }

  private async onAnswered(providerCallSid: string): Promise<AgentReply> {
    if (this.input.inbound) await condition(() => this.variablesInPlace);
    else if (this.input.variablesInDial) {
      // An answer that arrived before its dial's result waits for the variables the dial brings. A
      // dial that fails, a line that goes down or a stop ends the wait and refuses the answer (the
      // carrier is told to hang up): waiting for ever would hold the call's final record too.
      const dialled = this.attempt;
      await condition(() => this.variablesInPlace || dialled.dialError !== null || dialled.over || this.stopReason !== null);
      if (!this.variablesInPlace) throw ApplicationFailure.nonRetryable('Call is not ringing');
    }
    const a = this.attempt;
    a.providerCallSid ??= providerCallSid;
    a.answeredAt = new Date();
    this.setStatus('started');
    const endAt = new Date(a.answeredAt.getTime() + this.input.maxDurationMinutes * 60_000);
    const answered: UpdateCallInput = {
      ...this.ref,
      set: { queue_status: 'started', status: 'in-progress', started_at: a.answeredAt, end_at: endAt },
      events: [{ level: 'call', category: 'info', message: this.input.inbound ? 'Incoming call answered' : `Call answered (attempt ${a.number})` }],
      // The local attempt may still land after its fallback has written: the event is stored once.
      ...(this.input.localAnswerRecord ? { eventKey: `answered-${a.number}` } : {}),
    };
    this.conversation.writeBehind(this.input.localAnswerRecord ? recordLocally(answered) : records.updateCall(answered));
    return this.conversation.open();
  }

  private onUserTurn(text: string): Promise<AgentReply> {
    return this.conversation.hear(text);
  }
}
