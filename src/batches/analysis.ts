import type { CallDoc } from '../db/types';

/**
 * The `analysis` object of GET /v1/batches/{id}, computed in code: FerretDB has no `$group`
 * accumulators beyond `$sum`/`$count`. Call lengths are minutes; buckets are the seed's, in seconds.
 */

export type BatchCallFields = Pick<CallDoc, 'call_id' | 'queue_status' | 'completed' | 'call_length' | 'error_message' | 'endpoint_url'>;

export const CALL_LENGTH_BUCKETS: Array<[string, number, number]> = [
  ['0-5', 0, 5],
  ['5-10', 5, 10],
  ['10-15', 10, 15],
  ['15-20', 15, 20],
  ['20-30', 20, 30],
  ['30-45', 30, 45],
  ['45-60', 45, 60],
  ['60-90', 60, 90],
  ['90-120', 90, 120],
  ['120+', 120, Infinity],
];

export interface BatchAnalysis {
  total_calls: number;
  completed_calls: number;
  in_progress_calls: number;
  queue_statuses: Record<string, number>;
  call_lengths: { average: number; average_nonzero: number; summary: Record<string, number>; all: number[] };
  call_ids: string[];
  error_messages: Array<{ call_id: string; error_message: string }>;
  endpoints: Record<string, number>;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** `undialled`: rows not dialled yet (no call document), counted as queued and in progress. */
export function analyseBatchCalls(calls: BatchCallFields[], undialled = 0): BatchAnalysis {
  const queue_statuses: Record<string, number> = {};
  const summary: Record<string, number> = Object.fromEntries(CALL_LENGTH_BUCKETS.map(([k]) => [k, 0]));
  const all: number[] = [];
  const endpoints: Record<string, number> = {};
  const error_messages: BatchAnalysis['error_messages'] = [];
  let completed = 0;
  for (const c of calls) {
    queue_statuses[c.queue_status] = (queue_statuses[c.queue_status] ?? 0) + 1;
    if (c.completed) completed += 1;
    if (c.completed) {
      const minutes = c.call_length ?? 0;
      all.push(minutes);
      const seconds = minutes * 60;
      const bucket = CALL_LENGTH_BUCKETS.find(([, lo, hi]) => seconds >= lo && seconds < hi)!;
      summary[bucket[0]]! += 1;
    }
    if (c.error_message) error_messages.push({ call_id: c.call_id, error_message: c.error_message });
    let endpoint = c.endpoint_url;
    try {
      endpoint = new URL(c.endpoint_url).host;
    } catch {
      // Not a URL: count it under its own name.
    }
    endpoints[endpoint] = (endpoints[endpoint] ?? 0) + 1;
  }
  if (undialled > 0) queue_statuses.queued = (queue_statuses.queued ?? 0) + undialled;
  const nonzero = all.filter((m) => m * 60 >= 1);
  const avg = (xs: number[]) => (xs.length === 0 ? 0 : round(xs.reduce((a, b) => a + b, 0) / xs.length));
  return {
    total_calls: calls.length + undialled,
    completed_calls: completed,
    in_progress_calls: calls.length - completed + undialled,
    queue_statuses,
    call_lengths: { average: avg(all), average_nonzero: avg(nonzero), summary, all },
    call_ids: calls.map((c) => c.call_id),
    error_messages,
    endpoints,
  };
}
