import type { Filter } from 'mongodb';
import { z } from 'zod';
import type { CallDoc } from '../../src/db/types';
import { issueMessages } from '../../src/validation/issue-messages';
import { qBool, qDay, qDecimal, qInt, qPhone, qString } from '../contract/query-fields';

export interface ListCallsQuery {
  filter: Filter<CallDoc>;
  skip: number;
  limit: number;
  ascending: boolean;
}

export const MAX_LIST_CALLS_LIMIT = 1000;
const MINUTES = 'must be a number of minutes.';

/** GET /v1/calls query parameters (seed 003 line 2293), each validated; problems are listed, not guessed around. */
export const ListCallsQuerySchema = z
  .object({
    from_number: qPhone('from_number').optional().describe('Calls from this number'),
    to_number: qPhone('to_number').optional().describe('Calls to this number'),
    from: qInt(0).optional().describe('Index of the first call to return (with `to`, a range)'),
    to: qInt(0).optional().describe('Index after the last call to return'),
    limit: qInt(1).optional().describe(`At most this many calls (at most ${MAX_LIST_CALLS_LIMIT})`),
    ascending: qBool().optional().describe('Oldest first'),
    start_date: qDay().optional().describe('Created on or after this day (UTC)'),
    end_date: qDay().optional().describe('Created on or before this day (UTC)'),
    created_at: qDay().optional().describe('Created on this day (UTC)'),
    completed: qBool().optional(),
    batch_id: qString().optional(),
    answered_by: qString().optional(),
    inbound: qBool().optional(),
    duration_gt: qDecimal(MINUTES).optional().describe('Longer than this many minutes'),
    duration_lt: qDecimal(MINUTES).optional().describe('Shorter than this many minutes'),
    campaign_id: qString().optional(),
  })
  .superRefine((q, ctx) => {
    if (q.created_at && (q.start_date || q.end_date)) ctx.addIssue({ code: 'custom', message: 'created_at cannot be combined with start_date or end_date.' });
    if (q.from !== undefined && q.to !== undefined && q.to < q.from) ctx.addIssue({ code: 'custom', message: 'to must not be less than from.' });
  });

/** The store's filter and paging for a parsed query, always within the organisation. */
export function listCallsFilter(orgId: string, q: z.output<typeof ListCallsQuerySchema>): ListCallsQuery {
  const filter: Filter<CallDoc> = { org_id: orgId };
  if (q.from_number) filter.from = q.from_number;
  if (q.to_number) filter.to = q.to_number;
  if (q.completed !== undefined) filter.completed = q.completed;
  if (q.inbound !== undefined) filter.inbound = q.inbound;
  for (const key of ['batch_id', 'answered_by', 'campaign_id'] as const) if (q[key] !== undefined) filter[key] = q[key] as never;
  const range: Record<string, Date> = {};
  if (q.created_at) Object.assign(range, { $gte: q.created_at, $lt: new Date(q.created_at.getTime() + 86_400_000) });
  if (q.start_date) range.$gte = q.start_date;
  if (q.end_date) range.$lt = new Date(q.end_date.getTime() + 86_400_000);
  if (Object.keys(range).length > 0) filter.created_at = range;
  const duration: Record<string, number> = {};
  if (q.duration_gt !== undefined) duration.$gt = q.duration_gt;
  if (q.duration_lt !== undefined) duration.$lt = q.duration_lt;
  if (Object.keys(duration).length > 0) filter.call_length = duration;
  const limit = Math.min(q.limit ?? MAX_LIST_CALLS_LIMIT, MAX_LIST_CALLS_LIMIT);
  const skip = q.from ?? 0;
  const span = q.to !== undefined ? q.to - skip : limit;
  return { filter, skip, limit: Math.max(0, Math.min(limit, span)), ascending: q.ascending ?? false };
}

/** Parses a query object (strings, or arrays of repeated ones; anything else is not a query value and is dropped). */
export function parseListCallsQuery(orgId: string, q: Record<string, unknown>): { ok: true; value: ListCallsQuery } | { ok: false; errors: string[] } {
  const values = Object.fromEntries(Object.entries(q).filter(([, v]) => typeof v === 'string' || Array.isArray(v)));
  const parsed = ListCallsQuerySchema.safeParse(values);
  if (!parsed.success) return { ok: false, errors: issueMessages(parsed.error, 'Query') };
  return { ok: true, value: listCallsFilter(orgId, parsed.data) };
}
