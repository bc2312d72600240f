import request from 'supertest';
import WebSocket from 'ws';
import { createAgentClient, type AgentClient, type EndedFrame, type TranscriptFrame } from '../../web/agent-client.js';
import { eventually } from './poll';
import type { Stack } from './stack';

/** Web agents through the API and the browser channel, as an integrator's backend and browser would use them. */

export async function createAgent(stack: Stack, body: Record<string, unknown>, apiKey = stack.org.apiKey): Promise<string> {
  const res = await request(stack.apiUrl).post('/v1/agents').set('authorization', apiKey).send(body);
  if (res.status !== 200) throw new Error(`create agent: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.agent.agent_id as string;
}

export async function authorize(stack: Stack, agentId: string, apiKey = stack.org.apiKey): Promise<string> {
  const res = await request(stack.apiUrl).post(`/v1/agents/${agentId}/authorize`).set('authorization', apiKey).send({});
  if (res.status !== 200) throw new Error(`authorize: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** The client of web/agent-client.js from Node (the `ws` package), with every frame it received kept in order. */
export function webClient(stack: Stack, opts: { resumeDelayMs?: number; resumeForMs?: number; autoResume?: boolean } = {}) {
  const client: AgentClient = createAgentClient({ baseUrl: stack.apiUrl, WebSocket, resumeDelayMs: 100, resumeForMs: 10_000, ...opts });
  const lines: TranscriptFrame[] = [];
  const events: string[] = [];
  let ended: EndedFrame | null = null;
  client.on('transcript', (l) => lines.push(l));
  client.on('ended', (e) => (ended = e));
  for (const e of ['session', 'reply', 'error', 'ended', 'close', 'reconnecting', 'resumed'] as const) client.on(e, () => events.push(e));
  return {
    client,
    lines,
    events,
    /** The transcript lines once there are at least `n`. */
    linesAtLeast: (n: number, timeoutMs = 20_000) => eventually(async () => (lines.length >= n ? lines : null), timeoutMs),
    endedFrame: (timeoutMs = 30_000) => eventually(async () => ended, timeoutMs),
  };
}

/** A raw socket to the session URL: the first frames and how it closed. */
export function rawSession(stack: Stack, agentId: string, query: string): Promise<{ code: number; reason: string; frames: any[] }> {
  const url = `${stack.apiUrl.replace(/^http/, 'ws')}/v1/agents/${agentId}/session${query}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: any[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), frames }));
    ws.on('error', reject);
  });
}

/** An open raw socket and a way to read what comes back. */
export async function openRaw(stack: Stack, agentId: string, query: string) {
  const ws = new WebSocket(`${stack.apiUrl.replace(/^http/, 'ws')}/v1/agents/${agentId}/session${query}`);
  const frames: any[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('message', (data, isBinary) => {
    if (!isBinary) frames.push(JSON.parse(String(data)));
  });
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await eventually(async () => frames.some((f) => f.type === 'session'));
  return {
    ws,
    frames,
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    frame: (pred: (f: any) => boolean, timeoutMs = 20_000) => eventually(async () => frames.find(pred), timeoutMs),
    closed: (timeoutMs = 20_000) => eventually(async () => closed, timeoutMs),
  };
}

export const webCallsOf = (stack: Stack, agentId: string) => stack.db.collections.calls.countDocuments({ agent_id: agentId } as Record<string, unknown>);
