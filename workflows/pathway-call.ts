import { initialState } from '../src/pathway/routing';
import type { PathwayState } from '../src/pathway/types';
import type { AgentDecision, TranscriptLine } from '../src/workflow-api/call';
import type { PathwayRun } from '../src/workflow-api/pathway';
import { records } from './activity-proxies';
import { runPathwayStep } from './pathway-step';

/**
 * A pathway on a phone call: the pathway state (current node, the node a global node returns to,
 * variables, logs) lives here, in the workflow, and goes to and from the pathway-turn activity each
 * turn. The session asks it for a decision in the same terms as the task agent's.
 */
export class PathwayConversation {
  state: PathwayState = initialState();
  node: { id: string; name: string } | null = null;
  /** Log snapshots are written in order, so an older one never lands after a newer one. */
  private logWrites: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly run: PathwayRun,
    private readonly ref: { orgId: string; callId: string },
    private readonly model: string | null,
  ) {}

  async decide(transcript: TranscriptLine[], variables: Record<string, unknown>, writeBehind: (p: Promise<void>) => void): Promise<AgentDecision> {
    const step = await runPathwayStep(this.ref, this.run, this.state, transcript, variables, this.model);
    this.state = step.final.state;
    this.node = step.final.node;
    const logs = this.state.logs;
    const write = () => records.updateCall({ ...this.ref, set: { pathway_logs: logs }, events: [] });
    this.logWrites = this.logWrites.then(write, write);
    writeBehind(this.logWrites.then(() => undefined));
    const say = step.say.filter(Boolean).join(' ');
    const { action } = step.final;
    if (action === 'transfer') {
      return { say, action: 'transfer', modelMs: step.modelMs, transferTo: step.final.transferTo, transferError: step.final.transferError };
    }
    return { say, action: action === 'end' ? 'end' : 'continue', modelMs: step.modelMs };
  }
}
