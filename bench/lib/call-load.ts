import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { inboundCallId } from '../../src/calls/inbound-call';
import { callWorkflowId } from '../../src/ids';
import { connectTemporal } from '../../src/temporal/connection';
import type { CalleeScript } from '../../src/simulator/carrier/callee-script';
import type { SimulatedCall } from '../../src/simulator/carrier/simulated-call';
import type { BenchStack } from './stack';

/**
 * The load of `npm run bench:calls`: many calls at once, each a short scripted conversation. The
 * callee's lines avoid goodbye words until the last one, so the offline model keeps talking until
 * then; a call is the answer turn, one turn per line, and the goodbye turn.
 */
const LINES = ['I am doing well, thanks.', 'Sure, go ahead.', 'Tell me more about that.', 'That sounds fine to me.', 'Right, understood.', 'Interesting, what else?', 'Yes, I remember.', 'Could you repeat that?'];
const GOODBYE = 'Okay, bye now.';
/** The agent's prompt: Send Call's `task` for dialled calls, the number's `prompt` for incoming ones. */
export const TASK = 'Ask how their day is going and chat briefly.';

export interface LoadedCall {
  callId: string;
  /** The carrier's call SID (known once the carrier has the call). */
  sid: string | null;
  /** performance.now() at the POST (an incoming call: when the caller dials), at the line drop, and when the workflow closed (final record written). */
  postedAt: number;
  hungUpAt: number | null;
  closedAt: number | null;
  status: string | null;
  problem: string | null;
}

export function turnsPerCall(lines: number): number {
  return lines + 2;
}

/** `pauseMs`: the callee's silence before each of its lines (the goodbye included), as a person thinks and speaks. */
export function loadScript(lines: number, pauseMs: number): Partial<CalleeScript> {
  const said = Array.from({ length: lines }, (_, i) => LINES[i % LINES.length]!);
  return { utterances: [...said, GOODBYE], speechDelayMs: pauseMs };
}

export function scriptLoadCallee(stack: BenchStack, number: string, lines: number, pauseMs: number): void {
  stack.simulator.scriptNumber(number, { answer: 'human', ...loadScript(lines, pauseMs) });
}

/** Finds simulator calls by the call_id in their dial URL, for every pending call in one pass. */
class DialWatcher {
  private readonly waiting = new Map<string, (c: SimulatedCall) => void>();
  private readonly seen = new Set<string>();
  private running = true;

  constructor(private readonly stack: BenchStack) {
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.waiting.size > 0) {
        for (const c of this.stack.simulator.calls.values()) {
          if (this.seen.has(c.sid)) continue;
          const id = /call_id=([^&]+)/.exec(c.req.url)?.[1];
          const resolve = id ? this.waiting.get(id) : undefined;
          if (id && resolve) {
            this.seen.add(c.sid);
            this.waiting.delete(id);
            resolve(c);
          }
        }
      }
      await sleep(20);
    }
  }

  dialled(callId: string): Promise<SimulatedCall> {
    return new Promise((resolve) => this.waiting.set(callId, resolve));
  }

  stop(): void {
    this.running = false;
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Result long polls held open at once. The Temporal frontend refuses more than 1,200 concurrent
 * long polls of one kind per namespace by default (frontend.namespaceCount); the close time is
 * read from the server afterwards, so a wait held back here does not shift it.
 */
const MAX_RESULT_WAITS = 800;

/** At most `limit` of the functions given run at once; the others wait their turn in order. */
function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  return async (fn) => {
    // A finished function hands its slot straight to the first waiter, so no newcomer slips in between.
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}

/** The Temporal connection and result-wait slots the calls of one run share. */
interface Follower {
  client: Awaited<ReturnType<typeof connectTemporal>>['client'];
  waitSlot: ReturnType<typeof limiter>;
}

/** From the carrier's side of a call to its end: the line drop, the workflow's close, the final record. */
async function followCall(stack: BenchStack, f: Follower, call: LoadedCall, sim: SimulatedCall, timeoutMs: number): Promise<void> {
  call.sid = sim.sid;
  await within(sim.done, timeoutMs, `call ${call.callId} line`);
  call.hungUpAt = performance.now();
  if (sim.errors.length > 0 || sim.endedBy !== 'agent') call.problem = `ended by ${sim.endedBy}${sim.errors.length ? `: ${sim.errors[0]}` : ''}`;
  const handle = f.client.workflow.getHandle(callWorkflowId(call.callId));
  const closeTime = await f.waitSlot(async () => {
    await within(
      f.client.withAbortSignal(AbortSignal.timeout(timeoutMs), () => handle.result()),
      timeoutMs,
      `call ${call.callId} workflow`,
    );
    return (await handle.describe()).closeTime;
  });
  // The server's close time, on this process's clock (same machine).
  call.closedAt = closeTime ? performance.now() - (Date.now() - closeTime.getTime()) : performance.now();
  const doc = await stack.db.collections.calls.findOne({ _id: call.callId }, { projection: { queue_status: 1 } });
  call.status = doc?.queue_status ?? null;
  if (call.status !== 'complete') call.problem ??= `queue_status ${call.status}`;
}

/** Runs `count` calls with a Temporal connection of their own for the result waits, so a thousand of them do not share the API's. */
async function withFollower<T>(stack: BenchStack, fn: (f: Follower) => Promise<T>): Promise<T> {
  const own = await connectTemporal(stack.endpoints.temporalAddress, stack.config.temporal.namespace, { apiKey: undefined, tls: false });
  try {
    return await fn({ client: own.client, waitSlot: limiter(MAX_RESULT_WAITS) });
  } finally {
    await own.close();
  }
}

/** An error's message with its causes' (fetch's own says only "fetch failed"). */
function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    const { message, code } = e as { message?: string; code?: string };
    parts.push([code, message ?? String(e)].filter(Boolean).join(' '));
  }
  return parts.join(' <- ');
}

const newCall = (): LoadedCall => ({ callId: '', sid: null, postedAt: performance.now(), hungUpAt: null, closedAt: null, status: null, problem: null });

/**
 * `count` calls started together through the API; resolves when every one has closed or timed out.
 * The wait for each workflow's result (a long poll per call) goes over a connection of its own, so
 * a thousand of them do not share the API's connection to Temporal.
 */
export async function runConcurrentCalls(stack: BenchStack, opts: { count: number; number: string; lines: number; timeoutMs: number }): Promise<LoadedCall[]> {
  const watcher = new DialWatcher(stack);
  const one = async (f: Follower): Promise<LoadedCall> => {
    const call = newCall();
    try {
      const res = await fetch(`${stack.proxy.url}/v1/calls`, {
        method: 'POST',
        headers: { authorization: stack.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ phone_number: opts.number, task: TASK }),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json()) as { call_id?: string; message?: string };
      if (!res.ok || !body.call_id) throw new Error(`POST /v1/calls answered ${res.status}: ${body.message ?? ''}`);
      call.callId = body.call_id;
      const sim = await within(watcher.dialled(call.callId), opts.timeoutMs, `call ${call.callId} dial`);
      await followCall(stack, f, call, sim, opts.timeoutMs);
    } catch (err) {
      call.problem = describeError(err);
    }
    return call;
  };
  try {
    return await withFollower(stack, (f) => Promise.all(Array.from({ length: opts.count }, () => one(f))));
  } finally {
    watcher.stop();
  }
}

/** Each simulated caller calls from a number of its own (a fictional 555 range). */
let callerSeq = 0;

/**
 * `count` simulated callers dial `number` together (the carrier simulator's incoming calls, each
 * from a caller number of its own, saying the load's lines); resolves when every call has closed
 * or timed out. Each call's ID is derived from the caller's CallSid, as the API derives it.
 */
export async function runInboundCalls(
  stack: BenchStack,
  opts: { count: number; number: string; lines: number; pauseMs: number; timeoutMs: number },
): Promise<LoadedCall[]> {
  const script = loadScript(opts.lines, opts.pauseMs);
  const one = async (f: Follower, i: number): Promise<LoadedCall> => {
    const call = newCall();
    try {
      const sim = stack.simulator.placeInboundCall({ to: opts.number, from: `+1628${String(5_550_000 + (callerSeq++ % 10_000_000)).padStart(7, '0')}`, script });
      call.callId = inboundCallId(sim.req.accountSid, sim.sid);
      await within(sim.done, opts.timeoutMs, `call ${call.callId} line`);
      // A refused call has no workflow to wait for.
      if (sim.rejected) throw new Error(`caller ${i} was rejected (<Reject>)`);
      await followCall(stack, f, call, sim, opts.timeoutMs);
    } catch (err) {
      call.problem = describeError(err);
    }
    return call;
  };
  return withFollower(stack, (f) => Promise.all(Array.from({ length: opts.count }, (_, i) => one(f, i))));
}
