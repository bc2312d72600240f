import { condition } from '@temporalio/workflow';
import type { NewCallEvent } from '../src/db/call-events';
import { storable } from '../src/db/storable-keys';
import { renderTemplate } from '../src/templating';
import type { AgentAction, AgentReply, CallWorkflowInput, ToolExchange, TranscriptLine, TurnWork } from '../src/workflow-api/call';
import type { FinalizeCallInput } from '../activities/call-records';
import { agent, localAgent, records } from './activity-proxies';
import type { EngineVersion } from './engine-version';
import { PathwayConversation } from './pathway-call';
import { TurnRecords } from './turn-records';
import { runTurnWork } from './turn-work';

const TRANSFER_FAILED_SAY = "I'm sorry, I couldn't transfer your call.";
const WORK_FAILED_SAY = "I'm sorry, something went wrong on my side. Could you say that again?";
/**
 * Calls started before `followUpUntimed`: a carrier webhook must be answered in ~15 s, so a longer
 * wait is answered with "still working" and asked again.
 */
const CONTINUE_WAIT_MS = 8_000;
/** Tool calls in a row without the caller speaking: beyond this the agent's words are spoken without the work. */
const MAX_CHAINED_WORK = 3;

/** What a channel does when the agent decides to end or transfer (a phone call hangs up or dials; a chat closes). */
export interface ConversationEffects {
  agentEnds(): void;
  transferTo(number: string): void;
  transferFailed(error: string): void;
}

/**
 * The one conversation engine of every channel (phone, chat; web and inbound plug in the same way).
 * It owns the transcript, the variables and knowledge, the turn (a task agent or a pathway, run as
 * a local activity), the work a turn starts (tools, webhook nodes) and its follow-up, and the
 * read-model writes, which run behind the conversation. A channel adapter only carries words in
 * and out and applies the agent's end and transfer decisions.
 */
export class Conversation {
  private readonly lines: TranscriptLine[] = [];
  private vars: Record<string, unknown> = {};
  private knowledge: string[] = [];
  private turns = 0;
  /** Read-model writes, behind the conversation. */
  private readonly records: TurnRecords;
  /** Tool calls so far and their answers, shown to the model in later turns. */
  private readonly toolExchanges: ToolExchange[] = [];
  /** The follow-up of the work started by the last turn, if any; it never rejects. */
  private pendingWork: { promise: Promise<AgentReply>; reply: AgentReply | null; work: TurnWork } | null = null;
  private chainedWork = 0;
  /** The pathway the conversation runs, if any: its state lives here, in the workflow. */
  private readonly pathway: PathwayConversation | null;

  constructor(
    private readonly input: CallWorkflowInput,
    private readonly effects: ConversationEffects,
    private readonly version: EngineVersion,
  ) {
    const logsWithRecords = version.pathwayLogsWithRecords;
    this.pathway = input.pathway ? new PathwayConversation(input.pathway, this.ref, input.model, this.turnAgent, logsWithRecords) : null;
    this.records = new TurnRecords(this.ref, version, this.lines, () => (logsWithRecords && this.pathway ? this.pathway.state.logs : null));
  }

  /** The proxy a model turn (agentTurn, pathwayTurn) runs through. */
  private get turnAgent(): typeof agent {
    return this.version.localTurns ? localAgent : agent;
  }

  get ref() {
    return { orgId: this.input.orgId, callId: this.input.callId };
  }

  get variables(): Record<string, unknown> {
    return this.vars;
  }

  get turnCount(): number {
    return this.turns;
  }

  get transcript(): readonly TranscriptLine[] {
    return this.lines;
  }

  /** The current pathway node, for a pathway conversation. */
  get pathwayNode(): { id: string; name: string } | null {
    return this.pathway?.node ?? null;
  }

  /** Variables a pathway has extracted, on top of the conversation's. */
  get pathwayVariables(): Record<string, unknown> {
    return this.pathway?.state.variables ?? {};
  }

  /** The resolved system and request variables, before the first word. */
  useVariables(variables: Record<string, unknown>): void {
    this.vars = variables;
  }

  /** dynamic_data results: variables for the prompt, and context lines as the agent's knowledge. */
  learn(variables: Record<string, unknown>, context: string[]): void {
    this.vars = { ...this.vars, ...variables };
    this.knowledge = context;
  }

  writeBehind(write: Promise<void>): void {
    this.records.writeBehind(write);
  }

  note(category: NewCallEvent['category'], message: string): void {
    this.writeBehind(records.updateCall({ ...this.ref, set: {}, events: [{ level: 'call', category, message }] }));
  }

  /** What the read model does not hold yet (events of recent turns, a pathway's logs), for the live-state query. */
  get unrecorded() {
    return this.records.unrecorded;
  }

  /** Waits for every write-behind; returns the failures. The turn records left are written first, unless finalRecord carries them. */
  settleWrites(): Promise<unknown[]> {
    return this.records.settle();
  }

  /** The final record, after settleWrites (see TurnRecords.final). */
  finalRecord(set: FinalizeCallInput['set'], events: NewCallEvent[]): Promise<void> {
    return this.records.final(set, events);
  }

  /** Lets work still running when the conversation ends finish before the final record. */
  async settleWork(): Promise<void> {
    while (this.pendingWork) {
      const pending = this.pendingWork;
      await pending.promise;
      if (this.pendingWork === pending) this.pendingWork = null;
    }
  }

  /** Lines said outside a turn (a voicemail left) are recorded the same way. */
  recordSpoken(user: TranscriptLine['user'], text: string): void {
    const firstNew = this.lines.length;
    this.line(user, text);
    this.records.spoken(firstNew);
  }

  /** The agent's opening once the line is open: first_sentence, silence (wait_for_greeting), or a first turn. */
  async open(): Promise<AgentReply> {
    if (this.input.firstSentence) return this.speak(renderTemplate(this.input.firstSentence, this.vars), 0);
    if (this.input.waitForGreeting) return this.reply('', 'continue', 0);
    return this.runTurn(this.lines.length);
  }

  /**
   * The caller said something (possibly nothing: the agent then speaks without new input). A turn
   * that fails after its retries leaves no trace: the caller may simply say it again.
   */
  async hear(text: string): Promise<AgentReply> {
    const firstNew = this.lines.length;
    const trimmed = text.trim();
    if (trimmed) this.line('user', trimmed);
    this.chainedWork = 0;
    try {
      return await this.runTurn(firstNew);
    } catch (err) {
      // Only the caller's own line, and only if nothing was said after it (work may finish meanwhile).
      if (trimmed && this.lines.length === firstNew + 1) this.lines.length = firstNew;
      throw err;
    }
  }

  /**
   * The follow-up of the work the last reply started (the phone's `continue` webhook; a chat turn
   * awaits it directly). It starts no command: the API bounds the carrier's wait (a hold). Calls
   * started before `followUpUntimed` wait at most CONTINUE_WAIT_MS on a timer when `bounded`; if the
   * work is still running then, the answer is an empty reply carrying the same `work`: keep waiting.
   */
  async followUp(bounded = true): Promise<AgentReply> {
    const pending = this.pendingWork;
    if (!pending) return this.reply('', 'continue', 0);
    if (bounded && !this.input.followUpUntimed && pending.reply === null) await condition(() => pending.reply !== null, CONTINUE_WAIT_MS);
    else await pending.promise;
    if (pending.reply === null) return { ...this.reply('', 'continue', 0), work: pending.work };
    if (this.pendingWork === pending) this.pendingWork = null;
    return pending.reply;
  }

  private line(user: TranscriptLine['user'], text: string): void {
    this.lines.push({ seq: this.lines.length, user, text, at: new Date().toISOString() });
  }

  /** Says the decision's words now; the work and the agent's next turn run behind them. */
  private startWork(say: string, modelMs: number, work: TurnWork, firstNew: number): AgentReply {
    const reply = this.speak(say, modelMs, 'continue', firstNew);
    this.chainedWork += 1;
    const pending: NonNullable<Conversation['pendingWork']> = { promise: Promise.resolve(reply), reply: null, work };
    pending.promise = this.finishWork(work).then((r) => (pending.reply = r));
    this.pendingWork = pending;
    return { ...reply, work };
  }

  private async finishWork(work: TurnWork): Promise<AgentReply> {
    try {
      const afterLine = this.lines.length;
      const outcome = await runTurnWork(work, this.vars, this.ref);
      this.vars = { ...this.vars, ...outcome.variables };
      if (work.kind === 'webhook' && outcome.webhook) this.pathway?.resumeWith(outcome.webhook);
      if (work.kind === 'tool') {
        this.toolExchanges.push({ afterLine, toolCallId: work.toolCallId, name: work.tool.name, arguments: work.input, result: outcome.resultForModel });
      }
      this.writeBehind(
        records.updateCall({
          ...this.ref,
          // GET /v1/calls/{id} shows the variables the work added (third-party keys made storable).
          set: Object.keys(outcome.variables).length > 0 ? { variables: storable(this.vars) as Record<string, unknown> } : {},
          events: [{ level: work.kind, category: outcome.ok ? 'info' : 'error', message: outcome.message }],
        }),
      );
      return await this.runTurn(this.lines.length);
    } catch (err) {
      // The caller is waiting: a failed follow-up turn is an apology, never a stuck line.
      this.note('error', `Turn after ${work.kind} failed: ${err instanceof Error ? err.message : String(err)}`);
      return this.speak(WORK_FAILED_SAY, 0);
    }
  }

  /** `firstNew`: the first transcript line of this turn, so its record includes the caller's line. */
  private async runTurn(firstNew: number): Promise<AgentReply> {
    // With a pathway, its engine decides instead of the task agent (task, tools and transfer settings unused).
    const decision = this.pathway ? await this.pathway.decide(this.lines, this.vars, (w) => this.writeBehind(w)) : await this.turnAgent.agentTurn({
      ...this.ref,
      task: this.input.task,
      variables: this.vars,
      transcript: this.lines,
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
        this.effects.transferFailed(decision.transferError ?? 'Transfer failed: no number to transfer to.');
        return this.speak(TRANSFER_FAILED_SAY, decision.modelMs, 'end', firstNew);
      }
      this.effects.transferTo(decision.transferTo);
      const reply = this.speak(decision.say, decision.modelMs, 'transfer', firstNew);
      return { ...reply, transferTo: decision.transferTo };
    }
    return this.speak(decision.say, decision.modelMs, decision.action, firstNew);
  }

  private speak(text: string, modelMs: number, action: AgentAction = 'continue', firstNew = this.lines.length): AgentReply {
    if (text) this.line('assistant', text);
    if (action === 'end') this.effects.agentEnds();
    this.turns += 1;
    const events: NewCallEvent[] = [
      { level: 'call', category: 'performance', message: `Agent turn ${this.turns}: model ${Math.round(modelMs)} ms` },
    ];
    if (action === 'transfer') events.push({ level: 'call', category: 'info', message: 'Transferring the call' });
    this.records.turn(events, action, firstNew);
    return this.reply(text, action, modelMs);
  }

  private reply(say: string, action: AgentAction, modelMs: number): AgentReply {
    return { say, action, modelMs, speech: this.input.speech };
  }
}
