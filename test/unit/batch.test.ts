import { validateBatch, validateReplay, checkRow } from '../../api/schemas/batch';
import { analyseBatchCalls, type BatchCallFields } from '../../src/batches/analysis';
import { rowCallBody } from '../../src/batches/create-batch';
import { rowCallId, rowChunkId } from '../../src/batches/ids';
import { matchesReplay, replayIndices } from '../../src/batches/replay';

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
  });
});
