import { describeUrl, OutboundHttpError } from '../net/destination';
import type { OutboundHttp } from '../net/outbound-http';
import { cleanValue, isVariableName } from './values';

/**
 * A number's lookup URL (seed 002's "API" source), asked once as a call arrives, through the
 * SSRF-guarded outbound client: `GET <url>?lookup_key=…&from=…&to=…` with the number's stored
 * headers. A JSON object answers with variables; 404 (or an empty answer) means no match.
 * Anything else is reported and the call goes on without lookup variables: never retried, since a
 * caller is waiting.
 */
export const LOOKUP_URL_LIMITS = { defaultTimeoutMs: 3_000, minTimeoutMs: 200, maxTimeoutMs: 10_000, maxResponseBytes: 65_536, maxVariables: 50 };

export type UrlLookup =
  | { outcome: 'match'; values: Map<string, string>; skipped: number }
  | { outcome: 'no_match' }
  | { outcome: 'failed'; reason: string };

export async function lookupByUrl(
  outbound: OutboundHttp,
  source: { url: string; headers?: Record<string, string>; timeout_ms?: number },
  query: { key: string; from: string; to: string },
): Promise<UrlLookup> {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    return { outcome: 'failed', reason: 'the stored URL is not valid' };
  }
  url.searchParams.set('lookup_key', query.key);
  url.searchParams.set('from', query.from);
  url.searchParams.set('to', query.to);
  const where = describeUrl(url);
  let res;
  try {
    res = await outbound.request({
      url: url.toString(),
      method: 'GET',
      headers: { accept: 'application/json', ...(source.headers ?? {}) },
      timeoutMs: source.timeout_ms ?? LOOKUP_URL_LIMITS.defaultTimeoutMs,
      maxResponseBytes: LOOKUP_URL_LIMITS.maxResponseBytes,
    });
  } catch (err) {
    if (err instanceof OutboundHttpError) return { outcome: 'failed', reason: `${where}: ${err.message}` };
    return { outcome: 'failed', reason: `${where}: the request failed` };
  }
  if (res.status === 404 || res.status === 204) return { outcome: 'no_match' };
  if (res.status < 200 || res.status >= 300) return { outcome: 'failed', reason: `${where} answered HTTP ${res.status}` };
  const text = res.body.toString('utf8').trim();
  if (text === '') return { outcome: 'no_match' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { outcome: 'failed', reason: `${where} answered something that is not JSON` };
  }
  if (data === null) return { outcome: 'no_match' };
  if (typeof data !== 'object' || Array.isArray(data)) return { outcome: 'failed', reason: `${where} answered JSON that is not an object` };
  const values = new Map<string, string>();
  let skipped = 0;
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (!scalar || !isVariableName(name) || values.size >= LOOKUP_URL_LIMITS.maxVariables) {
      skipped += 1;
      continue;
    }
    values.set(name, cleanValue(String(value)).value);
  }
  return values.size === 0 && skipped === 0 ? { outcome: 'no_match' } : { outcome: 'match', values, skipped };
}
