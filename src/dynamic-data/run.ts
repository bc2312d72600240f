import { describeHttpFailure, executeHttpCall } from '../net/http-call';
import { extractJsonPath } from '../net/json-path';
import type { OutboundHttp } from '../net/outbound-http';
import { renderDeep, renderTemplate, type Variables } from '../templating';
import type { DynamicDataOutcome, DynamicDataRequest, DynamicDataRun } from './types';

/** Kept small: responses become variables, the workflow's history and /dynamic_data/test's answer. */
export const DYNAMIC_DATA_MAX_RESPONSE_BYTES = 256 * 1024;

/** The request as it will be sent: two entries with the same key are the same request. */
function cacheKey(r: DynamicDataRequest, vars: Variables): string {
  return JSON.stringify([r.method, renderTemplate(r.url, vars), renderDeep(r.query, vars), renderDeep(r.headers, vars), renderDeep(r.body, vars)]);
}

/** The note the agent gets for a request that failed, so it says it does not know rather than guess. */
export function failureNote(r: DynamicDataRequest, vars: Variables): string | null {
  const names = r.responseData.map((v) => v.name);
  if (names.length === 0) return null;
  let host = 'an external service';
  try {
    host = new URL(renderTemplate(r.url, vars)).host;
  } catch {
    // keep the generic word
  }
  return `Information (${names.join(', ')}) could not be loaded from ${host}; if it is needed, say you cannot look it up right now instead of guessing.`;
}

/**
 * Runs the `dynamic_data` requests in order; each sees the variables of the ones before it. A
 * failed request (refused, timed out, non-2xx) is recorded and skipped: its variables stay unset
 * (templates render them empty) and the agent's knowledge gets a note instead of its context.
 */
export async function runDynamicData(outbound: OutboundHttp, requests: DynamicDataRequest[], initial: Variables): Promise<DynamicDataOutcome> {
  const vars: Variables = { ...initial };
  const added: Record<string, unknown> = {};
  const context: string[] = [];
  const runs: DynamicDataRun[] = [];
  const cache = new Map<string, DynamicDataRun>();
  for (const [index, r] of requests.entries()) {
    const key = cacheKey(r, vars);
    const hit = r.cache ? cache.get(key) : undefined;
    let run: DynamicDataRun;
    if (hit) run = { ...hit, index, cached: true, durationMs: 0 };
    else {
      run = await runOne(outbound, r, vars, index);
      if (r.cache && run.ok) cache.set(key, run);
    }
    if (run.ok) {
      const extracted = Object.fromEntries(r.responseData.map((v) => [v.name, extractJsonPath(run.response, v.data) ?? null]));
      run = { ...run, variables: extracted };
      Object.assign(vars, extracted);
      Object.assign(added, extracted);
      for (const v of r.responseData) if (v.context) context.push(renderTemplate(v.context, vars));
    } else {
      const note = failureNote(r, vars);
      if (note) context.push(note);
    }
    runs.push(run);
  }
  return { variables: added, context, runs };
}

async function runOne(outbound: OutboundHttp, r: DynamicDataRequest, vars: Variables, index: number): Promise<DynamicDataRun> {
  const started = Date.now();
  try {
    const res = await executeHttpCall(
      outbound,
      { url: r.url, method: r.method, headers: r.headers, query: r.query, body: r.body ?? undefined, timeoutMs: r.timeoutMs, maxResponseBytes: DYNAMIC_DATA_MAX_RESPONSE_BYTES },
      vars,
    );
    return {
      index, url: res.request.url, method: res.request.method, ok: res.ok, status: res.status, cached: false,
      durationMs: res.durationMs, response: res.data, variables: {}, error: res.ok ? null : describeHttpFailure(undefined, res.status),
    };
  } catch (err) {
    let url = r.url;
    try {
      const u = new URL(renderTemplate(r.url, vars));
      url = `${u.protocol}//${u.host}${u.pathname}`;
    } catch {
      // an unparseable URL is shown as written
    }
    return {
      index, url, method: r.method, ok: false, status: null, cached: false,
      durationMs: Date.now() - started, response: null, variables: {}, error: describeHttpFailure(err),
    };
  }
}
