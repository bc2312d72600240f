import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';
import type { AgentReply } from '../src/workflow-api/call';
import type { Conversation } from './conversation';

/**
 * A turn of a text channel (the pathway chat, the web): a text channel has no "please hold", so it
 * waits for the work a reply started (a tool, a webhook node) and says the follow-up in the same
 * answer. The same commands in the same order as chatWorkflow's turn before this module existed:
 * its recorded histories replay unchanged (test/workflows/replay.test.ts).
 */
export async function untilSaid(conversation: Conversation, first: Promise<AgentReply>): Promise<{ reply: AgentReply; said: string[] }> {
  let reply = await first;
  const said = [reply.say];
  while (reply.work) {
    reply = await conversation.followUp(false);
    said.push(reply.say);
  }
  return { reply, said: said.filter(Boolean) };
}

/** The activity's own words, not the wrappers' ("Activity task failed"). */
export function innermostMessage(err: Error): string {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}

/**
 * A turn that failed after its retries (the model, the store) becomes a typed, non-retryable
 * failure the caller of the update can tell apart; anything else (a bug) fails the task as usual.
 */
export function typedTurnFailure(err: unknown, type: string): unknown {
  if (!(err instanceof TemporalFailure)) return err;
  return ApplicationFailure.create({ type, message: innermostMessage(err), nonRetryable: true });
}
