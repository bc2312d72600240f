import { startStack, type Stack } from '../helpers/stack';
import { clientsScript, runPython } from './python';

/**
 * Bland's official Python client creates a web agent on Switchboard (`web_agents.create`, which
 * posts to /v1/agents/agents and parses {status, call_id}); the agent is then the API's like any other.
 */
describe("Bland's Python client: web agents", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates an agent the client parses, and gets a 400 for a bad language', async () => {
    const run = await runPython([clientsScript('bland_web_agents.py')], { SWITCHBOARD_BASE_URL: stack.apiUrl, SWITCHBOARD_API_KEY: stack.org.apiKey }, 120_000);
    expect(run.stderr.slice(-2000)).toBe('');
    const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { created: Record<string, unknown>; refused: { status_code: number; body: Record<string, unknown> } };
    expect(out.created).toMatchObject({ status: 'success', call_id: expect.any(String) });
    expect(out.created.agent).toMatchObject({ agent_id: out.created.call_id, prompt: 'You are the front desk of a dental clinic.', voice: 'maya', max_duration: 12 });
    expect(out.refused).toEqual({
      status_code: 400,
      body: { status: 'error', message: 'Invalid parameters', errors: ['language must be one of: ENG, ESP, FRE, POL, GER, ITA, PBR, POR.'] },
    });
    const stored = await stack.db.collections.agents.findOne({ _id: out.created.call_id as string });
    expect(stored).toMatchObject({ org_id: stack.org.id, language: 'ENG', model: 'enhanced', first_sentence: 'Hello, how can I help?', metadata: { campaign: 'spring' } });
  }, 180_000);
});
