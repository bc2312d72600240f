import { buildMessages, type AgentTurnInput } from '../../activities/agent-turn';
import { agentReplyTwiml } from '../../src/telephony/twiml';
import { extractVariables, missingInputs, runToolRequest } from '../../src/tools/run-tool';
import { createOutboundHttp } from '../../src/net/outbound-http';
import { parseAllowList } from '../../src/net/allow-list';
import type { ToolSpec } from '../../src/tools/types';
import { toolResultForModel } from '../../src/tools/tool-result';
import type { AgentReply, ToolWork } from '../../src/workflow-api/call';

const speech = { language: 'en-US', voice: null, keywords: [], pronunciations: [], bargeIn: true };

describe('the tool turn', () => {
  it('says the speech, then redirects to the continue webhook, when the reply carries work', () => {
    const work = { kind: 'tool', toolCallId: 'c1', tool: {}, input: {} } as unknown as ToolWork;
    const reply: AgentReply = { say: 'One moment.', action: 'continue', modelMs: 1, speech, work };
    const xml = agentReplyTwiml(reply, 'https://x.example/gather', 'https://x.example/continue?call_id=1');
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US">One moment.</Say><Redirect method="POST">https://x.example/continue?call_id=1</Redirect></Response>');
    // Without work the reply is the usual gather.
    expect(agentReplyTwiml({ ...reply, work: undefined }, 'https://x.example/gather', 'https://x.example/continue')).toContain('<Gather');
  });

  it('places tool calls and results where they happened in the conversation', () => {
    const input: AgentTurnInput = {
      callId: 'c', orgId: 'o', task: 'Book for {{name}}.', variables: { name: 'Ada' }, model: null, temperature: null, language: 'en-US',
      transfer: { phoneNumber: null, list: {} },
      transcript: [
        { seq: 0, user: 'assistant', text: 'Hello.', at: '' },
        { seq: 1, user: 'user', text: 'Book me.', at: '' },
        { seq: 2, user: 'assistant', text: 'One moment.', at: '' },
      ],
      tools: [],
      toolExchanges: [{ afterLine: 3, toolCallId: 'call_1', name: 'Book', arguments: { date: 'x' }, result: '{"status":"success"}' }],
      knowledge: ['Order 1 is shipped.'],
    };
    const msgs = buildMessages(input);
    expect(msgs[0]!.content).toContain('Task: Book for Ada.');
    expect(msgs[0]!.content).toContain('Knowledge:\n- Order 1 is shipped.');
    expect(msgs.slice(1).map((m) => m.role)).toEqual(['assistant', 'user', 'assistant', 'assistant', 'tool']);
    expect(msgs[4]).toMatchObject({ toolCalls: [{ id: 'call_1', name: 'Book', arguments: { date: 'x' } }] });
    expect(msgs[5]).toEqual({ role: 'tool', toolCallId: 'call_1', content: '{"status":"success"}' });
  });

  it('builds the messages of a call without tools exactly as before', () => {
    const msgs = buildMessages({
      callId: 'c', orgId: 'o', task: null, variables: {}, model: null, temperature: null, language: 'en-US',
      transfer: { phoneNumber: null, list: {} }, transcript: [{ seq: 0, user: 'user', text: 'Hi', at: '' }],
    });
    expect(msgs).toHaveLength(2);
    expect(msgs[0]!.content).not.toContain('tool');
    expect(msgs[0]!.content).not.toContain('Knowledge');
  });

  it('extracts response variables, or the whole body as data', () => {
    expect(extractVariables({ a: { b: 1 }, c: [2] }, { x: '$.a.b', y: '$.c[0]', z: '$.missing' })).toEqual({ x: 1, y: 2, z: null });
    expect(extractVariables({ a: 1 }, {})).toEqual({ data: { a: 1 } });
  });

  it('tells the model about a failure without inventing a result, and cuts long results', () => {
    expect(JSON.parse(toolResultForModel({ ok: false, error: 'HTTP 500' }))).toMatchObject({ status: 'failed', error: 'HTTP 500' });
    const long = toolResultForModel({ ok: true, variables: { data: 'x'.repeat(10_000) } });
    expect(long.length).toBeLessThanOrEqual(4001);
  });

  it('does not call a tool whose required inputs the model left out, and says which', async () => {
    const spec = {
      name: 'Book', url: 'https://127.0.0.1:1/never', method: 'POST', headers: {}, query: {}, body: null, response: {}, timeoutMs: 1000,
      inputSchema: { properties: { date: 'YYYY-MM-DD', time: 'HH:MM' }, required: ['date', 'time'] },
    } as unknown as ToolSpec;
    expect(missingInputs(spec, { date: '2024-01-01', time: '' })).toEqual(['time']);
    const outbound = createOutboundHttp({ allowList: parseAllowList('127.0.0.1:1') });
    await expect(runToolRequest(outbound, spec, { date: '2024-01-01' }, {})).rejects.toMatchObject({
      message: 'the input is missing required fields: time; ask the caller for them',
      retryable: false,
    });
  });
});
