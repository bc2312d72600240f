import WebSocket from 'ws';
import { createLogger } from '../../src/logger';
import { startApiRole } from '../../src/roles';
import { createAgentClient } from '../../web/agent-client.js';
import { uid } from '../helpers/stack';
import { waitForCompletion } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { authorize, createAgent, webClient } from '../helpers/web-agents';
import { exited, replaceWorker, spawnWorker } from '../helpers/worker-process';

/**
 * A web session survives a killed worker: the visitor's message in flight when the worker dies
 * (SIGKILL, during the model's turn) is answered by the next worker, once, and the conversation
 * goes on with no lost or doubled line.
 */
describe('a web session survives a killed worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false, env: { WEB_RESUME_GRACE_SECONDS: '30' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers the message in flight once and goes on', async () => {
    const marker = `slow-${uid()}`;
    let worker = spawnWorker(stack);
    try {
      const agentId = await createAgent(stack, { prompt: `Chat briefly. ${marker}`, first_sentence: 'Hello!' });
      const web = webClient(stack);
      const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
      const first = await web.client.send('First.');
      // The next message meets a slow model; the worker dies while it is thinking.
      stack.model.scripts.add({ match: marker, replies: [{ content: 'A slow answer.', delay_ms: 5_000 }] });
      const pending = web.client.send('Second.');
      await eventually(async () => stack.model.scripts.pending() === 0, 60_000, 20);
      worker = await replaceWorker(stack, worker);
      const second = await pending;
      expect(second.text).toContain('You said "Second."');
      const third = await web.client.send('Third.');
      await web.client.end();
      const call = await waitForCompletion(stack, call_id, 90_000);
      const said = call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`);
      expect(said).toEqual([
        'assistant: Hello!', 'user: First.', `assistant: ${first.text}`, 'user: Second.', `assistant: ${second.text}`, 'user: Third.', `assistant: ${third.text}`,
      ]);
      expect(web.lines.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 180_000);

  it('an API process that stops sends its sockets away (1001); the session resumes on another API process', async () => {
    const other = await startApiRole(stack.config, stack.endpoints, { db: stack.db, temporal: stack.temporal, logger: createLogger('silent'), adminApiKey: undefined, port: 0 });
    const worker = spawnWorker(stack);
    try {
      const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hello!' });
      const web = webClient(stack, { autoResume: false });
      const { call_id, resume_token } = await web.client.connect(agentId, await authorize(stack, agentId));
      const first = await web.client.send('Before the restart.');
      const closed = new Promise<{ code: number }>((resolve) => web.client.on('close', resolve));
      await stack.api.stop();
      expect((await closed).code).toBe(1001);
      // The browser comes back on another process (here: the second API), as a load balancer would send it.
      stack.api = other;
      stack.apiUrl = other.server.url;
      const again = createAgentClient({ baseUrl: other.server.url, WebSocket, autoResume: false });
      const lines: string[] = [];
      again.on('transcript', (l) => lines.push(`${l.seq} ${l.role}: ${l.text}`));
      expect((await again.resume(agentId, resume_token, web.client.lastSeq)).call_id).toBe(call_id);
      const second = await again.send('After the restart.');
      await again.end();
      expect(lines).toEqual([`3 user: After the restart.`, `4 assistant: ${second.text}`]);
      const call = await waitForCompletion(stack, call_id, 60_000);
      expect(call.transcripts.map((t: { text: string }) => t.text)).toEqual(['Hello!', 'Before the restart.', first.text, 'After the restart.', second.text]);
    } finally {
      // Once the stack holds the second API, the stack stops it; before that, this test does.
      if (stack.api !== other) await other.stop();
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 120_000);
});
