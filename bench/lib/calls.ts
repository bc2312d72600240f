import { setTimeout as sleep } from 'node:timers/promises';
import { callWorkflowId } from '../../src/ids';
import type { SimulatedCall } from '../../src/simulator/carrier/simulated-call';
import type { BenchStack } from './stack';

/**
 * What the scripted callee says. None of it says goodbye or shares two significant words with the
 * end_call tool's description, so the offline model keeps talking until the final line.
 */
export const UTTERANCES = [
  'I am doing well, thanks.', 'Sure, go ahead.', 'Tell me more about that.', 'Interesting, what else?',
  'That sounds fine to me.', 'I have a few minutes.', 'Yes, I remember.', 'Mostly sunny here today.',
  'Could you repeat that?', 'Right, understood.',
];
export const CALLEE = '+14155550100';
/** The answer turn (voice webhook), one per utterance, and the goodbye turn that ends the call. */
export const TURNS_PER_CALL = UTTERANCES.length + 2;
const TASK = 'Ask how their day is going and chat briefly.';
const CALL_TIMEOUT_MS = 60_000;
/** How long past the budget a call already under way may run before the bench stops waiting for it. */
const OVERRUN_MS = 15_000;

export interface CallRun {
  callIds: string[];
  /** Calls that failed, timed out, or ended with an unexpected turn count or status. */
  problems: string[];
}

export function scriptCallee(stack: BenchStack, ringMs = 0): void {
  stack.simulator.scriptNumber(CALLEE, { answer: 'human', utterances: [...UTTERANCES, 'Okay, bye now.'], speechDelayMs: 0, ringMs });
}

/** The simulator's side of our call: its dial URL carries the call_id. Polled, since the worker dials asynchronously. */
async function simulatedCall(stack: BenchStack, callId: string, deadline: number): Promise<SimulatedCall> {
  for (;;) {
    for (const c of stack.simulator.calls.values()) if (c.req.url.includes(`call_id=${callId}`)) return c;
    if (Date.now() > deadline) throw new Error(`call ${callId}: not dialled before the bench stopped waiting`);
    await sleep(10);
  }
}

/**
 * One call, done when the line drops: every turn has happened by then. Not when the workflow's
 * final record is written, because that waits on write-behind that can lag far behind the turns
 * (and a real caller never waits for it either).
 */
async function oneCall(stack: BenchStack, run: CallRun, budgetEnd: number): Promise<void> {
  const res = await fetch(`${stack.proxy.url}/v1/calls`, {
    method: 'POST',
    headers: { authorization: stack.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ phone_number: CALLEE, task: TASK }),
    // Generous: call creation writes to the read model, which can fall far behind under load.
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { call_id?: string; message?: string };
  if (!res.ok || !body.call_id) throw new Error(`POST /v1/calls answered ${res.status}: ${body.message ?? ''}`);
  const callId = body.call_id;
  run.callIds.push(callId);
  const deadline = Math.min(Date.now() + CALL_TIMEOUT_MS, budgetEnd + OVERRUN_MS);
  const call = await simulatedCall(stack, callId, deadline);
  let timer: NodeJS.Timeout | undefined;
  const hungUp = await Promise.race([
    call.done.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
  ]).finally(() => clearTimeout(timer));
  const turns = stack.proxy.samples.filter((s) => s.callId === callId).length;
  if (!hungUp) run.problems.push(`call ${callId}: line still up when the bench stopped waiting (${turns} turns)`);
  else if (turns !== TURNS_PER_CALL || call.endedBy !== 'agent' || call.errors.length > 0) {
    run.problems.push(`call ${callId}: ${turns} timed turns, ended by ${call.endedBy}${call.errors.length ? `, ${call.errors[0]}` : ''}`);
  }
}

/** `count` calls through the API, at most `concurrency` at a time; none started after `deadline`. */
export async function runCalls(stack: BenchStack, count: number, concurrency: number, deadline: number): Promise<CallRun> {
  const run: CallRun = { callIds: [], problems: [] };
  let started = 0;
  const lane = async () => {
    while (started < count && Date.now() < deadline) {
      started++;
      await oneCall(stack, run, deadline).catch((err: unknown) => run.problems.push(err instanceof Error ? err.message : String(err)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (started < count) run.problems.push(`deadline reached: ${count - started} calls not started`);
  return run;
}

/** How many of these call workflows are still open: the write-behind backlog left when the turns are over. */
export async function stillOpen(stack: BenchStack, callIds: readonly string[]): Promise<number> {
  const client = stack.temporal.client;
  const describe = (id: string) =>
    client.withAbortSignal(AbortSignal.timeout(20_000), () => client.workflow.getHandle(callWorkflowId(id)).describe());
  const states = await Promise.all(callIds.map((id) => describe(id).then((d) => d.status.name)));
  return states.filter((s) => s === 'RUNNING').length;
}
