import request from 'supertest';
import { eventually } from './poll';
import type { Stack } from './stack';

let counter = 0;
/** A fresh number per call, so each test scripts its own callee. */
export function uniqueNumber(): string {
  counter += 1;
  return `+1415${String(Date.now() % 1_000_000).padStart(6, '0').slice(0, 3)}${String(counter).padStart(4, '0')}`;
}

export async function sendCall(stack: Stack, body: Record<string, unknown>): Promise<string> {
  const res = await request(stack.apiUrl).post('/v1/calls').set('authorization', stack.org.apiKey).send(body);
  if (res.status !== 200) throw new Error(`POST /v1/calls answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.call_id as string;
}

export async function getCall(stack: Stack, callId: string): Promise<Record<string, any>> {
  return (await request(stack.apiUrl).get(`/v1/calls/${callId}`).set('authorization', stack.org.apiKey).expect(200)).body;
}

export async function waitForCompletion(stack: Stack, callId: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  return eventually(async () => {
    const c = await getCall(stack, callId);
    return c.completed ? c : null;
  }, timeoutMs);
}

export interface CallEvent {
  level: string;
  category: string;
  message: string;
  call_id: string;
  timestamp: string;
}

export async function events(stack: Stack, callId: string): Promise<CallEvent[]> {
  return (await request(stack.apiUrl).get(`/v1/event_stream/${callId}`).set('authorization', stack.org.apiKey).expect(200)).body;
}

export const simCallsTo = (stack: Stack, to: string) => [...stack.simulator.calls.values()].filter((c) => c.req.to === to);
