import { isPermanentHttpStatus } from '../errors';
import { lookup, renderDeep, renderTemplate, stringify, type Variables } from '../templating';
import { describeUrl, OutboundHttpError, parseOutboundUrl } from './destination';
import type { OutboundHttp } from './outbound-http';

/**
 * One templated HTTP request made on a user's behalf: custom tools, dynamic_data, pathway webhook
 * nodes (and later KB URLs). It renders the spec with the call's variables, sends it through the
 * SSRF-guarded OutboundHttp (which vets every hop, bounds time and size), and parses the answer.
 * An HTTP error status is a result (`ok: false`), not an exception: callers decide what a 500
 * means. Refusals, timeouts and network failures throw OutboundHttpError.
 */
export interface HttpCallSpec {
  url: string;
  method?: string;
  headers?: Record<string, unknown>;
  query?: Record<string, unknown>;
  /** An object (sent as JSON), or a template string such as "{{input}}". */
  body?: unknown;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface HttpCallRequest {
  url: string;
  method: string;
  /** As sent, with credential-bearing header values masked. */
  headers: Record<string, string>;
  body: string | null;
}

export interface HttpCallResult {
  ok: boolean;
  status: number;
  /** Parsed JSON when the body is JSON, else the text. */
  data: unknown;
  text: string;
  /** The URL that answered (after redirects), without credentials or query. */
  url: string;
  durationMs: number;
  request: HttpCallRequest;
}

export const DEFAULT_HTTP_CALL_TIMEOUT_MS = 10_000;
export const HTTP_CALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const BODYLESS = new Set(['GET', 'HEAD']);
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|api[-_]?key|token|secret|password|signature/i;

/** Header values that may carry credentials are masked wherever a request is shown or logged. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? '[redacted]' : v]));
}

function renderHeaders(headers: Record<string, unknown> | undefined, vars: Variables): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const value = typeof v === 'string' ? renderTemplate(v, vars) : stringify(v);
    // CR/LF in a header value would be a header injection; Node refuses them, we drop them first.
    out[k] = value.replace(/[\r\n]+/g, ' ');
  }
  return out;
}

/** Renders the URL and appends the rendered query map (values as strings; objects as JSON). */
function renderUrl(spec: HttpCallSpec, vars: Variables): URL {
  const url = parseOutboundUrl(renderTemplate(spec.url, vars).trim());
  for (const [k, v] of Object.entries(spec.query ?? {})) {
    const rendered = typeof v === 'string' ? renderTemplate(v, vars) : stringify(renderDeep(v, vars));
    url.searchParams.append(k, rendered);
  }
  return url;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

/**
 * Renders a JSON body leaf by leaf. A string that is exactly one placeholder naming an object or
 * array (`"slot": "{{input}}"`) becomes that value, nested, rather than a string of JSON.
 */
export function renderJsonBody(value: unknown, vars: Variables): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    const found = whole ? lookup(vars, whole[1]!) : undefined;
    return found !== null && typeof found === 'object' ? found : renderTemplate(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderJsonBody(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJsonBody(v, vars)]));
  return value;
}

/** An object body is rendered leaf by leaf and sent as JSON; a string body is rendered as is. */
function renderBody(body: unknown, vars: Variables): { text: string; json: boolean } | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    const text = renderTemplate(body, vars);
    return { text, json: isJson(text) };
  }
  return { text: JSON.stringify(renderJsonBody(body, vars)), json: true };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{"]/.test(text);
  if (!looksJson || text.trim() === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function executeHttpCall(outbound: OutboundHttp, spec: HttpCallSpec, vars: Variables): Promise<HttpCallResult> {
  const method = (spec.method ?? 'GET').toUpperCase();
  const url = renderUrl(spec, vars);
  const headers = renderHeaders(spec.headers, vars);
  const body = BODYLESS.has(method) ? undefined : renderBody(spec.body, vars);
  if (body?.json && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const request: HttpCallRequest = { url: describeUrl(url) + url.search, method, headers: maskHeaders(headers), body: body?.text ?? null };

  const started = Date.now();
  const res = await outbound.request({
    url: url.toString(),
    method,
    headers,
    body: body?.text,
    timeoutMs: spec.timeoutMs ?? DEFAULT_HTTP_CALL_TIMEOUT_MS,
    maxResponseBytes: spec.maxResponseBytes,
  });
  const text = res.body.toString('utf8');
  const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
  return {
    ok: res.status >= 200 && res.status < 300,
    status: res.status,
    data: parseBody(text, contentType),
    text,
    url: describeUrl(new URL(res.url)),
    durationMs: Date.now() - started,
    request,
  };
}

/**
 * Whether trying again could help: refused destinations, bad URLs and 4xx answers other than
 * 408/429 will not change; timeouts, network trouble and 5xx may.
 */
export function httpFailureIsRetryable(err: unknown, status?: number): boolean {
  if (err instanceof OutboundHttpError) return err.retryable;
  if (status !== undefined) return !isPermanentHttpStatus(status);
  return true;
}

/** A short, credential-free description of why a request failed, for events and for the model. */
export function describeHttpFailure(err: unknown, status?: number): string {
  if (err instanceof OutboundHttpError) return `${err.code}: ${err.message}`;
  if (status !== undefined) return `HTTP ${status}`;
  return err instanceof Error ? err.message : String(err);
}
