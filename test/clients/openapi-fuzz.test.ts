import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../helpers/stack';
import { runPython } from './python';

/**
 * Property-based fuzzing of every operation in /openapi.json with Schemathesis (pinned in
 * requirements.txt), with a valid API key, on a time budget. Fails on any 5xx, any request that
 * takes longer than the request timeout (a hang), and any stack trace in a body
 * (fuzz_hooks.py). See docs/clients.md.
 */
/** A cap, not a target: each operation gets MAX_EXAMPLES generated requests, and every operation must be reached. */
const BUDGET_S = 150;
const ADMIN_BUDGET_S = 30;
const MAX_EXAMPLES = 12;
const REQUEST_TIMEOUT_S = 10;

interface Report {
  seed: number;
  operations: { total: number; selected: number; tested: number; errored: number };
  failures: Array<{ code: string; title: string; count: number; operations: string[] }>;
  errors: Array<{ title: string; count: number }>;
}

describe('fuzzing /openapi.json', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    // Rate limits off: a fuzzer over the limit would only see 429s.
    stack = await startStack({ env: { RATE_LIMIT_CALLS_PER_MINUTE: '0', RATE_LIMIT_REQUESTS_PER_MINUTE: '0' } });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-fuzz-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The admin operations take the admin key, every other operation an organisation's key.
  const runs = [
    { name: 'operations with an API key', key: () => stack.org.apiKey, filter: ['--exclude-path-regex', '^/v1/admin/'], budgetS: BUDGET_S, minOperations: 40 },
    { name: 'admin operations with the admin key', key: () => stack.config.auth.adminApiKey!, filter: ['--include-path-regex', '^/v1/admin/'], budgetS: ADMIN_BUDGET_S, minOperations: 2 },
  ];

/** The seed `npm test` runs with. */
const DEFAULT_SEED = '20261202';

  it.each(runs)('$name: no 5xx, no hang, no stack trace', async ({ key, filter, budgetS, minOperations }) => {
    const reportPath = join(dir, `report-${Date.now()}.json`);
    // A fixed seed by default, so a run in CI explores what the last run did; FUZZ_SEED=random explores anew.
    const seed = process.env.FUZZ_SEED === 'random' ? String(Math.floor(Math.random() * 2 ** 31)) : (process.env.FUZZ_SEED ?? DEFAULT_SEED);
    const run = await runPython(
      [
        '-m', 'schemathesis.cli', 'run', `${stack.apiUrl}/openapi.json`,
        ...filter,
        '--header', `authorization: ${key()}`,
        '--checks', 'not_a_server_error,no_stack_trace',
        '--request-timeout', String(REQUEST_TIMEOUT_S),
        '--max-time', String(budgetS),
        '--max-examples', String(MAX_EXAMPLES),
        // One worker: with two threads, Hypothesis's ast.parse on Python 3.11 (before 3.11.8) can fail
        // inside the tool ("AST constructor recursion depth mismatch"), which is not the API's doing.
        '--workers', '1',
        '--seed', seed,
        '--no-color',
        '--report', 'json', '--report-json-path', reportPath,
      ],
      { SCHEMATHESIS_HOOKS: 'fuzz_hooks' },
      (budgetS + 90) * 1000,
    );
    const output = `FUZZ_SEED=${seed}\n${run.stdout}\n${run.stderr}`.slice(-30_000);
    let report: Report;
    try {
      report = JSON.parse(await readFile(reportPath, 'utf8')) as Report;
    } catch {
      throw new Error(`schemathesis wrote no report (exit ${run.code ?? run.signal}):\n${output}`);
    }
    // Every selected operation was exercised.
    expect(report.operations.selected).toBeGreaterThanOrEqual(minOperations);
    expect(report.operations.tested).toBe(report.operations.selected);
    // On failure, `output` holds each failing request with a curl line that reproduces it.
    const failed = report.failures.length + report.errors.length > 0;
    expect({ failures: report.failures, errors: report.errors, output: failed ? output : '' }).toEqual({ failures: [], errors: [], output: '' });
  }, (BUDGET_S + 150) * 1000);
});
