import { startStack, type Stack } from '../helpers/stack';
import { clientsScript, runPython } from './python';

/**
 * Bland's official Python client (`bland` on PyPI, pinned in requirements.txt) pointed at
 * Switchboard: every call it makes that Switchboard serves, checked against the seed. The script
 * runs each check and reports its problems; one jest test per check, so a failure names the call,
 * the problems and the HTTP exchanges. See docs/clients.md.
 */
const CHECKS = [
  'send_call',
  'send_call_explicit_values',
  'call_details',
  'list_calls',
  'call_analyze',
  'call_recording',
  'stop_call',
  'send_call_start_time_client_format',
  'bad_key',
  'batch_send',
  'batch_list',
  'batch_details',
  'batch_analyze',
  'batch_analysis',
  'batch_stop',
] as const;

interface CheckResult {
  problems: string[];
  deviations: string[];
  exchanges: unknown[];
}

describe("Bland's Python client against Switchboard", () => {
  let stack: Stack;
  let checks: Record<string, CheckResult> = {};
  let runError = '';

  beforeAll(async () => {
    stack = await startStack();
    const run = await runPython(
      [clientsScript('bland_client_suite.py')],
      { SWITCHBOARD_BASE_URL: stack.apiUrl, SWITCHBOARD_API_KEY: stack.org.apiKey, SWITCHBOARD_WAIT_SECONDS: '60' },
      240_000,
    );
    try {
      checks = (JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { checks: Record<string, CheckResult> }).checks;
    } catch {
      runError = `the client script did not report (exit ${run.code ?? run.signal}):\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`;
    }
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs every check', () => {
    expect(runError).toBe('');
    expect(Object.keys(checks).sort()).toEqual([...CHECKS].sort());
  });

  it.each(CHECKS)('%s', (name) => {
    const result = checks[name];
    expect(result).toBeDefined();
    // On failure the diff shows the problems and every HTTP exchange of the check.
    expect({ check: name, problems: result!.problems, exchanges: result!.problems.length > 0 ? result!.exchanges : [] }).toEqual({
      check: name,
      problems: [],
      exchanges: [],
    });
  });
});
