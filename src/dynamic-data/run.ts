import { OutboundHttpError } from '../net/destination';
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

/** POST /v1/dynamic_data/test's default total time for all its requests (DYNAMIC_DATA_TEST_BUDGET_MS). */
export const DEFAULT_DYNAMIC_DATA_TEST_BUDGET_MS = 30_000;

export interface DynamicDataRunOptions {
  /**
   * A total time for all the requests, for POST /v1/dynamic_data/test: each request's own timeout
   * is clipped to what is left, and the requests not reached in time are reported as not run. A
   * call's run has none: each request has its own timeout and the call waits for them all.
   */
  budgetMs?: number;
}

/**
 * Runs the `dynamic_data` requests in order; each sees the variables of the ones before it. A
 * failed request (refused, timed out, non-2xx) is recorded and skipped: its variables stay unset
 * (templates render them empty) and the agent's knowledge gets a note instead of its context.
 */
export async function runDynamicData(
  outbound: OutboundHttp,
  requests: DynamicDataRequest[],
  initial: Variables,
  opts: DynamicDataRunOptions = {},
): Promise<DynamicDataOutcome> {
  const vars: Variables = { ...initial };
  const added: Record<string, unknown> = {};
  const context: string[] = [];
  const runs: DynamicDataRun[] = [];
  const cache = new Map<string, DynamicDataRun>();
  const { budgetMs } = opts;
  const deadline = budgetMs === undefined ? Infinity : Date.now() + budgetMs;
  // Set once a request clipped to the budget runs out of time: the budget is gone, whatever the clock says.
  let spent = false;
  for (const [index, r] of requests.entries()) {
    const key = cacheKey(r, vars);
    const hit = r.cache ? cache.get(key) : undefined;
    let run: DynamicDataRun;
    const left = deadline - Date.now();
    if (hit) run = { ...hit, index, cached: true, durationMs: 0 };
    else if (budgetMs !== undefined && (spent || left <= 0)) run = notRun(r, vars, index, budgetMs);
    else {
      const clipped = left < r.timeoutMs;
      const one = await runOne(outbound, r, vars, index, clipped ? Math.max(1, Math.floor(left)) : r.timeoutMs);
      run = one.run;
      if (clipped && one.timedOut) {
        spent = true;
        run = { ...run, error: `${run.error} (clipped to what was left of the test's ${budgetMs} ms budget)` };
      }
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

/** The URL as shown when there is no answer to take it from: no credentials, no query. */
function shownUrl(r: DynamicDataRequest, vars: Variables): string {
  try {
    const u = new URL(renderTemplate(r.url, vars));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    // an unparseable URL is shown as written
    return r.url;
  }
}

function notRun(r: DynamicDataRequest, vars: Variables, index: number, budgetMs: number): DynamicDataRun {
  return {
    index, url: shownUrl(r, vars), method: r.method, ok: false, status: null, cached: false,
    durationMs: 0, response: null, variables: {}, error: `not_run: the test's ${budgetMs} ms budget was used up before this request`,
  };
}

async function runOne(
  outbound: OutboundHttp,
  r: DynamicDataRequest,
  vars: Variables,
  index: number,
  timeoutMs: number,
): Promise<{ run: DynamicDataRun; timedOut: boolean }> {
  const started = Date.now();
  try {
    const res = await executeHttpCall(
      outbound,
      { url: r.url, method: r.method, headers: r.headers, query: r.query, body: r.body ?? undefined, timeoutMs, maxResponseBytes: DYNAMIC_DATA_MAX_RESPONSE_BYTES },
      vars,
    );
    const run: DynamicDataRun = {
      index, url: res.request.url, method: res.request.method, ok: res.ok, status: res.status, cached: false,
      durationMs: res.durationMs, response: res.data, variables: {}, error: res.ok ? null : describeHttpFailure(undefined, res.status),
    };
    return { run, timedOut: false };
  } catch (err) {
    const run: DynamicDataRun = {
      index, url: shownUrl(r, vars), method: r.method, ok: false, status: null, cached: false,
      durationMs: Date.now() - started, response: null, variables: {}, error: describeHttpFailure(err),
    };
    return { run, timedOut: err instanceof OutboundHttpError && err.code === 'timeout' };
  }
}
