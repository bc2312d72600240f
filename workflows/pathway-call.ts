import type { PathwayTurnResult } from '../activities/pathway-turn';
import { initialState } from '../src/pathway/routing';
import type { WebhookOutcome } from '../src/pathway/turn';
import type { PathwayState } from '../src/pathway/types';
import type { AgentDecision, TranscriptLine } from '../src/workflow-api/call';
import type { PathwayRun } from '../src/workflow-api/pathway';
import { type agent, records } from './activity-proxies';

/** Webhook nodes in a row without the caller speaking (e.g. a cycle of them): beyond this the agent waits for the caller. */
const MAX_CHAINED_WEBHOOKS = 5;

/**
 * A pathway on a phone call: the pathway state (current node, the node a global node returns to,
 * variables, logs) lives here, in the workflow, and goes to and from the pathway-turn activity each
 * turn. The session asks it for a decision in the same terms as the task agent's. A Webhook node
 * becomes turn work: its `text` is said at once, the request runs as its own activity, and the
 * follow-up turn resumes the pathway with the outcome (`resumeWith`).
 */
export class PathwayConversation {
  state: PathwayState = initialState();
  node: { id: string; name: string } | null = null;
  private pendingOutcome: WebhookOutcome | null = null;
  private chainedWebhooks = 0;
  /** Runs started before `pathwayLogsWithRecords`: log snapshots written in order, each chained on the one before. */
  private logWrites: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly run: PathwayRun,
    private readonly ref: { orgId: string; callId: string },
    private readonly model: string | null,
    /** The proxy a pathway turn runs through (local or normal activity: the engine's version). */
    private readonly turnAgent: typeof agent,
    /** The logs go with the conversation's turn records (`pathwayLogsWithRecords`), not a write of each turn's own. */
    private readonly logsWithRecords: boolean,
  ) {}

  resumeWith(outcome: WebhookOutcome): void {
    this.pendingOutcome = outcome;
  }

  async decide(transcript: TranscriptLine[], variables: Record<string, unknown>, writeBehind: (p: Promise<void>) => void): Promise<AgentDecision> {
    const webhookOutcome = this.pendingOutcome;
    this.pendingOutcome = null;
    this.chainedWebhooks = webhookOutcome ? this.chainedWebhooks : 0;
    const result: PathwayTurnResult = await this.turnAgent.pathwayTurn({
      ...this.ref, pathway: this.run, state: this.state, transcript, variables, model: this.model,
      ...(webhookOutcome ? { webhookOutcome } : {}),
    });
    this.state = result.state;
    this.node = result.node;
    if (!this.logsWithRecords) this.writeLogs(writeBehind);
    const say = result.say.filter(Boolean).join(' ');
    switch (result.action) {
      case 'webhook':
        if (!result.webhook || this.chainedWebhooks >= MAX_CHAINED_WEBHOOKS) return { say, action: 'continue', modelMs: result.modelMs };
        this.chainedWebhooks += 1;
        return { say, action: 'continue', modelMs: result.modelMs, work: { kind: 'webhook', request: result.webhook } };
      case 'transfer':
        return { say, action: 'transfer', modelMs: result.modelMs, transferTo: result.transferTo, transferError: result.transferError };
      case 'end':
        return { say, action: 'end', modelMs: result.modelMs };
      default:
        return { say, action: 'continue', modelMs: result.modelMs };
    }
  }

  /**
   * How runs started before `pathwayLogsWithRecords` write their logs, kept so their histories replay.
   * Where this write falls among the commands depends on when the previous one completed.
   */
  private writeLogs(writeBehind: (p: Promise<void>) => void): void {
    const logs = this.state.logs;
    const write = () => records.updateCall({ ...this.ref, set: { pathway_logs: logs }, events: [] });
    this.logWrites = this.logWrites.then(write, write);
    writeBehind(this.logWrites.then(() => undefined));
  }
}
