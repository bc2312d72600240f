import { checkRow, ListBatchesQuery, validateBatch, validateReplay } from '../../api/schemas/batch';
import { analyseBatchCalls, type BatchCallFields } from '../../src/batches/analysis';
import { rowCallBody } from '../../src/batches/create-batch';
import { rowCallId, rowChunkId } from '../../src/batches/ids';
import { matchesReplay, replayIndices } from '../../src/batches/replay';
import { batchCallParams } from '../../src/presenters/batch';
import { issueMessages } from '../../src/validation/issue-messages';

const call = (over: Partial<BatchCallFields>): BatchCallFields => ({
  call_id: 'c', queue_status: 'complete', completed: true, call_length: 0, error_message: null, endpoint_url: 'http://127.0.0.1:3000', ...over,
});

describe('batch analysis', () => {
  it('buckets call lengths by seconds with the seed ranges, averages minutes, and counts statuses', () => {
    const a = analyseBatchCalls(
      [
        call({ call_id: 'a', call_length: 0 }),
        call({ call_id: 'b', call_length: 4.9 / 60 }),
        call({ call_id: 'c', call_length: 5 / 60 }),
        call({ call_id: 'd', call_length: 2 }),
        call({ call_id: 'e', queue_status: 'call_error', error_message: 'boom', call_length: 0.5 }),
        call({ call_id: 'f', queue_status: 'started', completed: false, call_length: null }),
      ],
      3,
    );
    expect(a.call_lengths.summary).toEqual({ '0-5': 2, '5-10': 1, '10-15': 0, '15-20': 0, '20-30': 0, '30-45': 1, '45-60': 0, '60-90': 0, '90-120': 0, '120+': 1 });
    expect(a.call_lengths.all).toHaveLength(5);
    expect(a.call_lengths.average).toBeCloseTo((4.9 / 60 + 5 / 60 + 2 + 0.5) / 5, 3);
    expect(a.call_lengths.average_nonzero).toBeCloseTo((4.9 / 60 + 5 / 60 + 2 + 0.5) / 4, 3);
    expect(a).toMatchObject({
      total_calls: 9, completed_calls: 5, in_progress_calls: 4,
      queue_statuses: { complete: 4, call_error: 1, started: 1, queued: 3 },
      error_messages: [{ call_id: 'e', error_message: 'boom' }],
      endpoints: { '127.0.0.1:3000': 6 },
    });
  });

  it('answers zeros for a batch with no call yet', () => {
    expect(analyseBatchCalls([], 0)).toMatchObject({ total_calls: 0, call_lengths: { average: 0, average_nonzero: 0, all: [] } });
  });
});

describe('batch ids and rows', () => {
  it('derives the same UUID-shaped call ID for the same batch and row, and another for another row', () => {
    expect(rowCallId('b1', 0)).toBe(rowCallId('b1', 0));
    expect(rowCallId('b1', 0)).not.toBe(rowCallId('b1', 1));
    expect(rowCallId('b1', 0)).not.toBe(rowCallId('b2', 0));
    expect(rowCallId('b1', 7)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rowChunkId('b', 12)).toBe('b:000012');
  });

  it('makes each row a Send Call body: base prompt as task, row properties as request_data', () => {
    const body = rowCallBody(
      { base_prompt: 'Hi {{name}}', call_params: { voice: 'v', request_data: { shared: 1, name: 'default' } }, campaign_id: 'camp' },
      { phone_number: '+14155550100', name: 'Ada' },
    );
    expect(body).toEqual({ voice: 'v', task: 'Hi {{name}}', phone_number: '+14155550100', request_data: { shared: 1, name: 'Ada', phone_number: '+14155550100' }, campaign_id: 'camp' });
  });

  it('checks one row: object, phone number, storable keys, size', () => {
    expect(checkRow({ phone_number: '+1 (415) 555-0100', x: 1 })).toEqual({ ok: true, row: { phone_number: '+14155550100', x: 1 } });
    expect(checkRow(null)).toEqual({ ok: false, reason: 'must be an object.' });
    expect(checkRow({ phone_number: '' })).toEqual({ ok: false, reason: 'phone_number is missing.' });
    expect(checkRow({ phone_number: '+14155550100', $x: 1 })).toMatchObject({ ok: false });
    expect(checkRow({ phone_number: '+14155550100', big: 'x'.repeat(20_000) })).toMatchObject({ ok: false });
  });

  it('keeps Send Call parameters for each call and batch fields for the batch', () => {
    const v = validateBatch({ base_prompt: 'p', call_data: [{ phone_number: '+14155550100' }], label: 'l', voice: 'v', from: '+1 (415) 555-0199', max_concurrency: 5 });
    expect(v).toMatchObject({ ok: true, value: { basePrompt: 'p', label: 'l', maxConcurrency: 5, callParams: { voice: 'v', from: '+14155550199' } } });
    expect((v as { value: { callParams: object } }).value.callParams).not.toHaveProperty('call_data');
    expect((v as { value: { callParams: object } }).value.callParams).not.toHaveProperty('label');
  });

  it("accepts the top-level phone_number and task Bland's Python client sends, uses neither, and names them in warnings", () => {
    const v = validateBatch({ base_prompt: 'Hi {{name}}', call_data: [{ phone_number: '+14155550100', name: 'Ada' }], phone_number: '+14155550100', task: 'Hi {{name}}', voice: 'v' });
    expect(v).toMatchObject({ ok: true, value: { basePrompt: 'Hi {{name}}', callParams: { voice: 'v' } } });
    const value = (v as { value: { callParams: object; warnings: string[] } }).value;
    expect(value.callParams).not.toHaveProperty('phone_number');
    expect(value.callParams).not.toHaveProperty('task');
    expect(value.warnings).toHaveLength(1);
    expect(value.warnings[0]).toMatch(/^phone_number and task are ignored in a batch/);
    const one = validateBatch({ base_prompt: 'p', call_data: [{ phone_number: '+14155550100' }], task: 'p' });
    expect((one as { value: { warnings: string[] } }).value.warnings[0]).toMatch(/^task is ignored in a batch/);
    // null is "not given", as for every optional field.
    expect((validateBatch({ base_prompt: 'p', call_data: [{ phone_number: '+14155550100' }], phone_number: null }) as { value: { warnings: string[] } }).value.warnings).toEqual([]);
    // task does not stand in for base_prompt.
    expect(validateBatch({ task: 'p', call_data: [{ phone_number: '+14155550100' }] })).toEqual({ ok: false, errors: ['Missing required parameter: base_prompt.'] });
  });

  it('lists every problem of a batch body at once, in Send Call wording for call parameters', () => {
    const v = validateBatch({ base_prompt: 5, call_data: [{ phone_number: '+14155550100' }, {}], max_concurrency: 0, voice: 5, 'a.b': 1, retry: { tries: 1 } });
    expect(v).toMatchObject({ ok: false });
    expect((v as { errors: string[] }).errors).toEqual(
      expect.arrayContaining([
        'base_prompt must be a string.',
        'max_concurrency must be between 1 and 1000.',
        'voice must be a string.',
        expect.stringMatching(/^retry\.tries is not a known field/),
        expect.stringMatching(/^Request body has a key that is not allowed: "a\.b"/),
        'call_data[1]: phone_number is missing.',
        '1 of 2 rows are invalid; fix them, or send skip_invalid_rows: true to dial only the valid ones.',
      ]),
    );
    expect(validateBatch('x')).toEqual({ ok: false, errors: ['Request body must be a JSON object.'] });
    expect(validateBatch({ base_prompt: 'p' })).toEqual({ ok: false, errors: ['Missing required parameter: call_data.'] });
    expect(validateBatch({ pathway_id: 'pw', call_data: [{ phone_number: '+14155550100' }] })).toMatchObject({ ok: true, value: { basePrompt: '', callParams: { pathway_id: 'pw' } } });
  });

  it('names the first 1,000 bad rows and counts the rest', () => {
    const errors = (validateBatch({ base_prompt: 'p', call_data: Array.from({ length: 1005 }, () => ({})) }) as { errors: string[] }).errors;
    expect(errors).toHaveLength(1002);
    expect(errors.slice(-2)).toEqual(['…and 5 more bad rows.', '1005 of 1005 rows are invalid; fix them, or send skip_invalid_rows: true to dial only the valid ones.']);
  });
});

describe('batch reads', () => {
  it("shows the seed's five call_params at their values in force, under what the request set", () => {
    const defaults = { from: '+14155550199', maxDurationMinutes: 30, ringTimeoutSeconds: 30 };
    expect(batchCallParams({ call_params: {}, call_defaults: defaults })).toEqual({ reduce_latency: true, voice_id: 0, language: 'en-US', max_duration: 30, wait_for_greeting: false });
    expect(batchCallParams({ call_params: { language: 'fr-FR', max_duration: 2, wait_for_greeting: true, voice: 'Polly.Joanna', voice_id: 2, request_data: { a: 1 } }, call_defaults: defaults })).toEqual({
      reduce_latency: true,
      voice_id: 2,
      language: 'fr-FR',
      max_duration: 2,
      wait_for_greeting: true,
      voice: 'Polly.Joanna',
      request_data: { a: 1 },
    });
    // null is "not set": the value in force is shown.
    expect(batchCallParams({ call_params: { language: null }, call_defaults: defaults })).toMatchObject({ language: 'en-US' });
  });

  it('parses the list query with one message per problem', () => {
    const messages = (q: Record<string, unknown>) => {
      const r = ListBatchesQuery.safeParse(q);
      return r.success ? [] : issueMessages(r.error, 'Query');
    };
    expect(messages({ limit: '1001' })).toEqual(['limit must be at most 1000.']);
    expect(messages({ limit: 'abc' })).toEqual(['limit must be an integer >= 0.']);
    expect(messages({ limit: ['1', '2'] })).toEqual(['limit must be given once.']);
    expect(messages({ from: '5', to: '2' })).toEqual(['to must not be less than from.']);
    expect(messages({ ascending: 'yes', campaign_id: ['a', 'b'] })).toEqual(['campaign_id must be given once.', 'ascending must be true or false.']);
  });
});

describe('replay selection', () => {
  it('matches outcomes: error = every *_error, voicemail by answered_by, others by status', () => {
    expect(matchesReplay({ queue_status: 'queue_error', status: 'failed', answered_by: null }, ['error'])).toBe(true);
    expect(matchesReplay({ queue_status: 'complete', status: 'completed', answered_by: 'voicemail' }, ['error', 'no-answer', 'busy'])).toBe(false);
    expect(matchesReplay({ queue_status: 'complete', status: 'completed', answered_by: 'voicemail' }, ['voicemail'])).toBe(true);
    expect(matchesReplay({ queue_status: 'complete', status: 'busy', answered_by: null }, ['busy'])).toBe(true);
  });

  it('picks rows in order; canceled adds the rows a stop left undialled', () => {
    const calls = [
      { batch_row: 3, queue_status: 'complete' as const, status: 'busy', answered_by: null },
      { batch_row: 0, queue_status: 'call_error' as const, status: 'failed', answered_by: null },
      { batch_row: 1, queue_status: 'complete' as const, status: 'completed', answered_by: 'human' as const },
    ];
    expect(replayIndices({ dial_rows: 6, status: 'completed' }, calls, ['error', 'busy'])).toEqual([0, 3]);
    expect(replayIndices({ dial_rows: 6, status: 'completed' }, calls, ['canceled'])).toEqual([2, 4, 5]);
  });

  it('validates the replay body', () => {
    expect(validateReplay(undefined)).toMatchObject({ ok: true, value: { statuses: ['error', 'no-answer', 'busy', 'failed'] } });
    expect(validateReplay({ statuses: [] })).toMatchObject({ ok: false });
    expect(validateReplay({ overrides: { voice: 5 } })).toMatchObject({ ok: false });
    expect(validateReplay({ overrides: { phone_number: '+14155550100' } })).toMatchObject({ ok: false });
    expect(validateReplay({ overrides: { voice: 'v' }, statuses: ['voicemail'] })).toMatchObject({ ok: true, value: { overrides: { voice: 'v' }, statuses: ['voicemail'] } });
    expect(validateReplay({ statuses: ['nope', 'busy'] })).toEqual({ ok: false, errors: ['statuses must be a non-empty array of: error, no-answer, busy, failed, voicemail, canceled.'] });
    expect(validateReplay({ overrides: { voice: 5 } })).toEqual({ ok: false, errors: ['overrides: voice must be a string.'] });
    expect(validateReplay({ overrides: 'x' })).toEqual({ ok: false, errors: ['overrides must be an object of Send Call parameters.'] });
    expect(validateReplay({ status: ['busy'] })).toEqual({ ok: false, errors: ['status is not a known field (known: statuses, overrides, label, max_concurrency, batch_webhook).'] });
    expect(validateReplay(null)).toMatchObject({ ok: true, value: { statuses: ['error', 'no-answer', 'busy', 'failed'], overrides: {}, label: null } });
  });
});
