import type { Filter } from 'mongodb';
import type { CallDoc } from '../../src/db/types';
import { parsePhoneNumber } from '../../src/phone';

export interface ListCallsQuery {
  filter: Filter<CallDoc>;
  skip: number;
  limit: number;
  ascending: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_LIMIT = 1000;

const INTEGER = /^\d{1,9}$/;
const DECIMAL = /^-?\d{1,9}(\.\d{1,9})?$/;

/** GET /v1/calls query parameters (seed 003 line 2293), each validated; problems are listed, not guessed around. */
export function parseListCallsQuery(orgId: string, q: Record<string, unknown>): { ok: true; value: ListCallsQuery } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const filter: Filter<CallDoc> = { org_id: orgId };
  const one = (key: string): string | undefined => {
    const v = q[key];
    if (Array.isArray(v)) errors.push(`${key} must be given once.`);
    return typeof v === 'string' ? v : undefined;
  };
  const int = (key: string, min: number): number | undefined => {
    const raw = one(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!INTEGER.test(raw) || n < min) errors.push(`${key} must be an integer >= ${min}.`);
    return n;
  };
  const boolean = (key: string): boolean | undefined => {
    const raw = one(key);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') errors.push(`${key} must be true or false.`);
    return raw === 'true';
  };
  const day = (key: string): Date | undefined => {
    const raw = one(key);
    if (raw === undefined) return undefined;
    const d = new Date(`${raw}T00:00:00.000Z`);
    // Also refuses days that Date would roll over (2024-02-31 → March 2).
    if (!DAY.test(raw) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== raw) {
      errors.push(`${key} must be a date in YYYY-MM-DD format.`);
    }
    return d;
  };
  const phone = (key: string): string | undefined => {
    const raw = one(key);
    if (raw === undefined) return undefined;
    const parsed = parsePhoneNumber(raw);
    if (!parsed.ok) errors.push(`${key}: ${parsed.reason}`);
    return parsed.ok ? parsed.e164 : undefined;
  };

  const from = int('from', 0);
  const to = int('to', 0);
  const limit = Math.min(int('limit', 1) ?? MAX_LIMIT, MAX_LIMIT);
  const ascending = boolean('ascending') ?? false;
  const fromNumber = phone('from_number');
  const toNumber = phone('to_number');
  if (fromNumber) filter.from = fromNumber;
  if (toNumber) filter.to = toNumber;
  const completed = boolean('completed');
  if (completed !== undefined) filter.completed = completed;
  const inbound = boolean('inbound');
  if (inbound !== undefined) filter.inbound = inbound;
  for (const key of ['batch_id', 'answered_by', 'campaign_id'] as const) {
    const v = one(key);
    if (v !== undefined) filter[key] = v.slice(0, 200) as never;
  }
  const createdAt = day('created_at');
  const start = day('start_date');
  const end = day('end_date');
  if (createdAt && (start || end)) errors.push('created_at cannot be combined with start_date or end_date.');
  const range: Record<string, Date> = {};
  if (createdAt) Object.assign(range, { $gte: createdAt, $lt: new Date(createdAt.getTime() + 86_400_000) });
  if (start) range.$gte = start;
  if (end) range.$lt = new Date(end.getTime() + 86_400_000);
  if (Object.keys(range).length > 0) filter.created_at = range;
  const duration: Record<string, number> = {};
  for (const [key, op] of [['duration_gt', '$gt'], ['duration_lt', '$lt']] as const) {
    const raw = one(key);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!DECIMAL.test(raw)) errors.push(`${key} must be a number of minutes.`);
    else duration[op] = n;
  }
  if (Object.keys(duration).length > 0) filter.call_length = duration;
  if (from !== undefined && to !== undefined && to < from) errors.push('to must not be less than from.');

  if (errors.length > 0) return { ok: false, errors };
  const skip = from ?? 0;
  const span = to !== undefined ? to - skip : limit;
  return { ok: true, value: { filter, skip, limit: Math.max(0, Math.min(limit, span)), ascending } };
}
