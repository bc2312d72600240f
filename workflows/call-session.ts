import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { NewCallEvent } from '../src/db/call-events';
import type { QueueStatus } from '../src/db/types';
import { storable } from '../src/db/storable-keys';
import { renderTemplate } from '../src/templating';
import {
  type AgentAction,
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
  type ToolExchange,
  type TranscriptLine,
  type TurnWork,
  userTurnUpdate,
} from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import { agent, records } from './activity-proxies';
import { AttemptState } from './call-attempt-state';
import { PathwayConversation } from './pathway-call';
import { runTurnWork } from './turn-work';

const MAX_UTTERANCE_CHARS = 4000;
const TRANSFER_FAILED_SAY = "I'm sorry, I couldn't transfer your call.";
const WORK_FAILED_SAY = "I'm sorry, something went wrong on my side. Could you say that again?";
/** A carrier webhook must be answered in ~15 s; a longer wait is answered with "still working" and asked again. */
const CONTINUE_WAIT_MS = 8_000;
/** Tool calls in a row without the caller speaking: beyond this the agent's words are spoken without the work. */
const MAX_CHAINED_WORK = 3;

/**
 * A call's state and its message handlers. The workflow function drives the phases; this class
 * answers the carrier's events (status, detection, transfer and recording signals; answer and
 * turn updates) and the live-state query.
 */
export class CallSession {
  queueStatus: QueueStatus = 'queued';
  attempt = new AttemptState(0);
  stopReason: string | null = null;
  variables: Record<string, unknown> = {};
  readonly transcript: TranscriptLine[] = [];
  turn = 0;
  /** Carrier call SIDs of earlier attempts, whose late events must not touch the current one. */
  private readonly pastSids = new Set<string>();
  /** Read-model writes run behind the conversation; a failure is kept here, never dropped. */
  private readonly pendingWrites: Promise<unknown>[] = [];
  /** `dynamic_data` context lines: the agent's knowledge. */
  knowledge: string[] = [];
  /** Tool calls so far and their answers, shown to the model in later turns. */
  readonly toolExchanges: ToolExchange[] = [];
  /** The follow-up of the work started by the last turn, if any; it never rejects. */
  private pendingWork: { promise: Promise<AgentReply>; reply: AgentReply | null; work: TurnWork; speech: AgentReply['speech'] } | null = null;
  private chainedWork = 0;

  /** The pathway the call runs, if any: its state lives here, in the workflow. */
  readonly pathway: PathwayConversation | null;

  constructor(private readonly input: CallWorkflowInput) {
    this.pathway = input.pathway ? new PathwayConversation(input.pathway, this.ref, input.model) : null;
  }

  get ref() {
    return { orgId: this.input.orgId, callId: this.input.callId };
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

  writeBehind(write: Promise<void>): void {
    this.pendingWrites.push(write.then(() => null, (err: unknown) => err));
  }

  event(category: NewCallEvent['category'], message: string): void {
    this.writeBehind(records.updateCall({ ...this.ref, set: {}, events: [{ level: 'call', category, message }] }));
  }

  /** Waits for every write-behind; returns the failures. */
  async settleWrites(): Promise<unknown[]> {
    return (await Promise.all(this.pendingWrites)).filter((r) => r !== null);
  }

  private ours(sid: string): boolean {
    if (this.pastSids.has(sid)) return false;
    return this.attempt.providerCallSid === null || this.attempt.providerCallSid === sid;
  }

  private say(user: TranscriptLine['user'], text: string): void {
    this.transcript.push({ seq: this.transcript.length, user, text, at: new Date().toISOString() });
  }

  /** Lines said outside a turn (a voicemail left) are recorded the same way. */
  sayOutsideTurn(user: TranscriptLine['user'], text: string): void {
    const firstNew = this.transcript.length;
    this.say(user, text);
    this.writeBehind(records.recordTurn({ ...this.ref, lines: this.transcript.slice(firstNew), events: [] }));
  }

  registerHandlers(): void {
    setHandler(callStateQuery, (): CallLiveState => ({
      callId: this.input.callId,
      attempt: this.attempt.number,
      queueStatus: this.queueStatus,
      providerStatus: this.attempt.providerStatus,
      providerCallSid: this.attempt.providerCallSid,
      answeredBy: this.attempt.answeredBy,
      turn: this.turn,
      variables: this.variables,
      transcript: this.transcript,
      ...(this.pathway ? { pathwayNode: this.pathway.node } : {}),
    }));

    setHandler(telephonyStatusSignal, (event) => {
      if (!this.ours(event.providerCallSid)) return;
      const a = this.attempt;
      a.providerCallSid ??= event.providerCallSid;
      a.providerStatus = event.status;
      if (TERMINAL_TELEPHONY_STATUSES.includes(event.status) && a.terminal === null) {
        a.terminal = event.status;
        a.durationSeconds = event.durationSeconds;
        a.endedAt = new Date();
      }
    });

    setHandler(amdResultSignal, (event) => {
      if (this.ours(event.providerCallSid)) this.attempt.answeredBy = event.answeredBy;
    });

    setHandler(transferStatusSignal, (event) => {
      if (!this.ours(event.providerCallSid) || !this.attempt.transferTo) return;
      if (event.status === 'completed' || event.status === 'in-progress') this.attempt.transferredTo = this.attempt.transferTo;
      else this.attempt.callError ??= `Transfer failed: the carrier reported "${event.status}" for the transfer number.`;
    });

    setHandler(recordingReadySignal, (event) => {
      if (this.pastSids.has(event.providerCallSid) || this.attempt.providerCallSid !== event.providerCallSid) return;
      this.attempt.recording = { sid: event.recordingSid, url: event.url };
    });

    setHandler(stopCallSignal, ({ reason }) => {
      this.stopReason ??= reason;
    });

    setHandler(callAnsweredUpdate, ({ providerCallSid }) => this.onAnswered(providerCallSid), {
      validator: ({ providerCallSid }) => {
        if (!this.ours(providerCallSid)) throw new Error('Call SID does not match this call');
        if (this.attempt.answered || this.attempt.over) throw new Error('Call is not ringing');
      },
    });

    setHandler(continueTurnUpdate, () => this.continueTurn(), {
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
    const a = this.attempt;
    a.providerCallSid ??= providerCallSid;
    a.answeredAt = new Date();
    this.setStatus('started');
    const endAt = new Date(a.answeredAt.getTime() + this.input.maxDurationMinutes * 60_000);
    this.writeBehind(
      records.updateCall({
        ...this.ref,
        set: { queue_status: 'started', status: 'in-progress', started_at: a.answeredAt, end_at: endAt },
        events: [{ level: 'call', category: 'info', message: `Call answered (attempt ${a.number})` }],
      }),
    );
    if (this.input.firstSentence) return this.speak(renderTemplate(this.input.firstSentence, this.variables), 0);
    if (this.input.waitForGreeting) return this.reply('', 'continue', 0);
    return this.runTurn(this.transcript.length);
  }

  private async onUserTurn(text: string): Promise<AgentReply> {
    const firstNew = this.transcript.length;
    const trimmed = text.trim();
    if (trimmed) this.say('user', trimmed);
    this.chainedWork = 0;
    return this.runTurn(firstNew);
  }

  /**
   * The follow-up of the work the last reply started (the phone's `continue` webhook; a chat turn
   * awaits it directly). Waits at most CONTINUE_WAIT_MS when `bounded`; if the work is still
   * running then, the answer is an empty reply carrying the same `work`: keep waiting.
   */
  async continueTurn(bounded = true): Promise<AgentReply> {
    const pending = this.pendingWork;
    if (!pending) return this.reply('', 'continue', 0);
    if (bounded && pending.reply === null) await condition(() => pending.reply !== null, CONTINUE_WAIT_MS);
    else await pending.promise;
    if (pending.reply === null) return { ...this.reply('', 'continue', 0), work: pending.work };
    if (this.pendingWork === pending) this.pendingWork = null;
    return pending.reply;
  }

  /** Lets work still running when the call ends finish before the final record. */
  async settleWork(): Promise<void> {
    while (this.pendingWork) {
      const pending = this.pendingWork;
      await pending.promise;
      if (this.pendingWork === pending) this.pendingWork = null;
    }
  }

  /** Says the decision's words now; the work and the agent's next turn run behind them. */
  private startWork(say: string, modelMs: number, work: TurnWork, firstNew: number): AgentReply {
    const reply = this.speak(say, modelMs, 'continue', firstNew);
    this.chainedWork += 1;
    const pending: NonNullable<CallSession['pendingWork']> = { promise: Promise.resolve(reply), reply: null, work, speech: reply.speech };
    pending.promise = this.finishWork(work).then((r) => (pending.reply = r));
    this.pendingWork = pending;
    return { ...reply, work };
  }

  private async finishWork(work: TurnWork): Promise<AgentReply> {
    try {
      const afterLine = this.transcript.length;
      const outcome = await runTurnWork(work, this.variables, this.ref);
      this.variables = { ...this.variables, ...outcome.variables };
      if (work.kind === 'webhook' && outcome.webhook) this.pathway?.resumeWith(outcome.webhook);
      if (work.kind === 'tool') {
        this.toolExchanges.push({ afterLine, toolCallId: work.toolCallId, name: work.tool.name, arguments: work.input, result: outcome.resultForModel });
      }
      this.writeBehind(
        records.updateCall({
          ...this.ref,
          // GET /v1/calls/{id} shows the variables the work added (third-party keys made storable).
          set: Object.keys(outcome.variables).length > 0 ? { variables: storable(this.variables) as Record<string, unknown> } : {},
          events: [{ level: work.kind, category: outcome.ok ? 'info' : 'error', message: outcome.message }],
        }),
      );
      return await this.runTurn(this.transcript.length);
    } catch (err) {
      // The caller is waiting: a failed follow-up turn is an apology, never a stuck line.
      this.event('error', `Turn after ${work.kind} failed: ${err instanceof Error ? err.message : String(err)}`);
      return this.speak(WORK_FAILED_SAY, 0);
    }
  }

  /** `firstNew`: the first transcript line of this turn, so its record includes the caller's line. */
  private async runTurn(firstNew: number): Promise<AgentReply> {
    // With a pathway, its engine decides instead of the task agent (task, tools and transfer settings unused).
    const decision = this.pathway ? await this.pathway.decide(this.transcript, this.variables, (w) => this.writeBehind(w)) : await agent.agentTurn({
      ...this.ref,
      task: this.input.task,
      variables: this.variables,
      transcript: this.transcript,
      model: this.input.model,
      temperature: this.input.temperature,
      language: this.input.speech.language,
      transfer: this.input.transfer,
      // Only calls that have them send these, so older histories replay with identical inputs.
      ...(this.input.tools?.length ? { tools: this.chainedWork < MAX_CHAINED_WORK ? this.input.tools : [], toolExchanges: this.toolExchanges } : {}),
      ...(this.knowledge.length ? { knowledge: this.knowledge } : {}),
    });
    if (decision.work) return this.startWork(decision.say, decision.modelMs, decision.work, firstNew);
    if (decision.action === 'transfer') {
      if (decision.transferError || !decision.transferTo) {
        this.attempt.callError ??= decision.transferError ?? 'Transfer failed: no number to transfer to.';
        return this.speak(TRANSFER_FAILED_SAY, decision.modelMs, 'end', firstNew);
      }
      this.attempt.transferTo = decision.transferTo;
      this.attempt.endedByAgent = true;
      const reply = this.speak(decision.say, decision.modelMs, 'transfer', firstNew);
      return { ...reply, transferTo: decision.transferTo };
    }
    return this.speak(decision.say, decision.modelMs, decision.action, firstNew);
  }

  private speak(text: string, modelMs: number, action: AgentAction = 'continue', firstNew = this.transcript.length): AgentReply {
    if (text) this.say('assistant', text);
    if (action === 'end') this.attempt.endedByAgent = true;
    this.turn += 1;
    const events: NewCallEvent[] = [
      { level: 'call', category: 'performance', message: `Agent turn ${this.turn}: model ${Math.round(modelMs)} ms` },
    ];
    if (action === 'transfer') events.push({ level: 'call', category: 'info', message: 'Transferring the call' });
    this.writeBehind(records.recordTurn({ ...this.ref, lines: this.transcript.slice(firstNew), events }));
    return this.reply(text, action, modelMs);
  }

  private reply(say: string, action: AgentAction, modelMs: number): AgentReply {
    return { say, action, modelMs, speech: this.input.speech };
  }
}
