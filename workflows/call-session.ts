import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { NewCallEvent } from '../src/db/call-events';
import type { AnsweredBy, QueueStatus } from '../src/db/types';
import { renderTemplate } from '../src/templating';
import {
  type AgentAction,
  type AgentReply,
  type CallLiveState,
  type CallWorkflowInput,
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
import { agent, records } from './activity-proxies';

const MAX_UTTERANCE_CHARS = 4000;

/**
 * A live call's state and its message handlers. The workflow function drives the phases; this
 * class answers the carrier's events (status signals, answer and turn updates) and queries.
 */
export class CallSession {
  queueStatus: QueueStatus = 'queued';
  providerStatus: TelephonyStatus | null = null;
  providerCallSid: string | null = null;
  terminal: TelephonyStatus | null = null;
  durationSeconds: number | null = null;
  answeredBy: AnsweredBy = null;
  answeredAt: Date | null = null;
  endedAt: Date | null = null;
  stopReason: string | null = null;
  endedByAgent = false;
  variables: Record<string, unknown> = {};
  readonly transcript: TranscriptLine[] = [];
  turn = 0;
  /** Read-model writes run behind the conversation; a failure is kept here, never dropped. */
  private readonly pendingWrites: Promise<unknown>[] = [];

  constructor(private readonly input: CallWorkflowInput) {}

  get ref() {
    return { orgId: this.input.orgId, callId: this.input.callId };
  }

  setStatus(queueStatus: QueueStatus): void {
    this.queueStatus = queueStatus;
    upsertSearchAttributes([{ key: SA.CallStatus, value: queueStatus }]);
  }

  writeBehind(write: Promise<void>): void {
    this.pendingWrites.push(write.then(() => null, (err: unknown) => err));
  }

  /** Waits for every write-behind; returns the failures. */
  async settleWrites(): Promise<unknown[]> {
    return (await Promise.all(this.pendingWrites)).filter((r) => r !== null);
  }

  isSettled(): boolean {
    return this.queueStatus === 'started' || this.terminal !== null || this.stopReason !== null;
  }

  isOver(): boolean {
    return this.terminal !== null || this.stopReason !== null;
  }

  private sidMatches(sid: string): boolean {
    return this.providerCallSid === null || this.providerCallSid === sid;
  }

  private say(user: TranscriptLine['user'], text: string): void {
    this.transcript.push({ seq: this.transcript.length, user, text, at: new Date().toISOString() });
  }

  registerHandlers(): void {
    setHandler(callStateQuery, (): CallLiveState => ({
      callId: this.input.callId,
      queueStatus: this.queueStatus,
      providerStatus: this.providerStatus,
      providerCallSid: this.providerCallSid,
      answeredBy: this.answeredBy,
      turn: this.turn,
      variables: this.variables,
      transcript: this.transcript,
    }));

    setHandler(telephonyStatusSignal, (event) => {
      if (!this.sidMatches(event.providerCallSid)) return;
      this.providerCallSid ??= event.providerCallSid;
      this.providerStatus = event.status;
      if (TERMINAL_TELEPHONY_STATUSES.includes(event.status) && this.terminal === null) {
        this.terminal = event.status;
        this.durationSeconds = event.durationSeconds;
        this.endedAt = new Date();
      }
    });

    setHandler(stopCallSignal, ({ reason }) => {
      this.stopReason ??= reason;
    });

    setHandler(callAnsweredUpdate, ({ providerCallSid }) => this.onAnswered(providerCallSid), {
      validator: ({ providerCallSid }) => {
        if (!this.sidMatches(providerCallSid)) throw new Error('Call SID does not match this call');
        if (this.queueStatus === 'started' || this.terminal !== null) throw new Error('Call is not ringing');
      },
    });

    setHandler(userTurnUpdate, ({ text }) => this.onUserTurn(text), {
      validator: ({ providerCallSid, text }) => {
        if (!this.sidMatches(providerCallSid)) throw new Error('Call SID does not match this call');
        if (this.queueStatus !== 'started' || this.terminal !== null) throw new Error('Call is not in conversation');
        if (typeof text !== 'string' || text.length > MAX_UTTERANCE_CHARS) throw new Error('Invalid utterance');
      },
    });
  }

  private async onAnswered(providerCallSid: string): Promise<AgentReply> {
    this.providerCallSid ??= providerCallSid;
    this.answeredAt = new Date();
    this.setStatus('started');
    const endAt = new Date(this.answeredAt.getTime() + this.input.maxDurationMinutes * 60_000);
    this.writeBehind(
      records.updateCall({
        ...this.ref,
        set: { queue_status: 'started', status: 'in-progress', started_at: this.answeredAt, end_at: endAt },
        events: [{ level: 'call', category: 'info', message: 'Call answered' }],
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
    return this.runTurn(firstNew);
  }

  /** `firstNew`: the first transcript line of this turn, so its record includes the caller's line. */
  private async runTurn(firstNew: number): Promise<AgentReply> {
    const decision = await agent.agentTurn({
      ...this.ref,
      task: this.input.task,
      variables: this.variables,
      transcript: this.transcript,
      model: this.input.model,
      temperature: this.input.temperature,
      language: this.input.language,
    });
    return this.speak(decision.say, decision.modelMs, decision.action, firstNew);
  }

  private speak(text: string, modelMs: number, action: AgentAction = 'continue', firstNew = this.transcript.length): AgentReply {
    if (text) this.say('assistant', text);
    if (action === 'end') this.endedByAgent = true;
    this.turn += 1;
    const events: NewCallEvent[] = [
      { level: 'call', category: 'performance', message: `Agent turn ${this.turn}: model ${Math.round(modelMs)} ms` },
    ];
    this.writeBehind(records.recordTurn({ ...this.ref, lines: this.transcript.slice(firstNew), events }));
    return this.reply(text, action, modelMs);
  }

  private reply(say: string, action: AgentAction, modelMs: number): AgentReply {
    return { say, action, modelMs, language: this.input.language, voice: this.input.voice };
  }
}
