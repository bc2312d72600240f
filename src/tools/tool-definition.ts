import { isPlainObject, unsafeKey } from '../validation/json-values';
import type { AllowList } from '../net/allow-list';
import { normaliseHost, urlPort } from '../net/allow-list';
import { blockedReason, parseIp } from '../net/ip-ranges';
import { DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec } from './types';

/**
 * Validation of a custom tool in Bland's shape (POST /v1/tools, inline `tools` in a call). Every
 * problem is reported at once, in words a Bland user recognises; nothing here touches the network.
 */

/** The seed's reserved words: refused anywhere in a name ("PressKey", "say_hello"), case-insensitively. */
export const RESERVED_TOOL_WORDS = [
  'input', 'speak', 'transfer', 'switch', 'wait', 'finish', 'press', 'button', 'say', 'pause', 'record', 'play', 'dial', 'hang',
] as const;
/** The agent's own functions: a custom tool with one of these names would shadow them. */
const BUILT_IN_NAMES = ['end_call', 'transfer_call'];
/** What OpenAI accepts as a function name. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const VARIABLE_NAME = /^[A-Za-z_][\w-]{0,63}$/;
const MAX_TIMEOUT_MS = 99_999_999;

export interface ToolCheckContext {
  allowList: AllowList;
}

export type ToolValidation = { ok: true; spec: ToolSpec } | { ok: false; errors: string[] };

export function reservedWordIn(name: string): string | undefined {
  const lower = name.toLowerCase();
  return RESERVED_TOOL_WORDS.find((w) => lower.includes(w));
}

/**
 * `url` must be https; plain http, and literal private/loopback/metadata addresses, only where
 * OUTBOUND_ALLOWLIST names the host. Placeholders may stand anywhere but in the host's place.
 * (Names that resolve to private addresses are refused when the request is made.)
 */
export function checkToolUrl(raw: unknown, label: string, ctx: ToolCheckContext): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return `${label} is required and must be a string.`;
  if (raw.length > 2048) return `${label} must be at most 2048 characters.`;
  let url: URL;
  try {
    url = new URL(raw.trim().replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    return `${label} must be a valid absolute URL beginning with https://.`;
  }
  const host = normaliseHost(url.hostname);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${label} must begin with https://.`;
  const port = urlPort(url);
  const ip = parseIp(host);
  if (ctx.allowList.reserved(host, ip, port)) return `${label} points to one of this deployment's own services (${host}:${port}), which is never allowed.`;
  if (url.protocol === 'http:' && !ctx.allowList.hostListed(host, port)) {
    return `${label} must begin with https:// (plain http is allowed only for hosts and ports in the operator's OUTBOUND_ALLOWLIST).`;
  }
  const reason = ip ? blockedReason(ip) : null;
  if (ip && reason && !ctx.allowList.addressListed(host, ip, port)) {
    return `${label} points to a ${reason} address (${host}), which is not allowed unless the operator's OUTBOUND_ALLOWLIST names it.`;
  }
  return null;
}

function checkInputSchema(v: unknown, label: string): string[] {
  if (!isPlainObject(v)) return [`${label} must be an object.`];
  const errors: string[] = [];
  if (v.type !== undefined && v.type !== 'object') errors.push(`${label}.type must be "object".`);
  if (v.example !== undefined && !isPlainObject(v.example)) errors.push(`${label}.example must be an object.`);
  if (v.properties !== undefined) {
    if (!isPlainObject(v.properties)) errors.push(`${label}.properties must be an object.`);
    else {
      for (const [k, p] of Object.entries(v.properties)) {
        // The seed's loose forms are strings ("YYYY-MM-DD", "monday, wednesday"); anything else is a JSON schema.
        if (typeof p !== 'string' && !isPlainObject(p)) errors.push(`${label}.properties.${k} must be a JSON schema object or a description string.`);
        else if (isPlainObject(p) && p.type !== undefined && typeof p.type !== 'string' && !Array.isArray(p.type)) {
          errors.push(`${label}.properties.${k}.type must be a string.`);
        }
      }
    }
  }
  if (v.required !== undefined && (!Array.isArray(v.required) || v.required.some((r) => typeof r !== 'string'))) {
    errors.push(`${label}.required must be an array of property names.`);
  }
  return errors;
}

/** `response: {name: "$.path"}`, or the tutorial's `response_data: [{name, data}]`; both become one map. */
function responseMap(raw: Record<string, unknown>, errors: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: unknown, path: unknown, label: string) => {
    if (typeof name !== 'string' || !VARIABLE_NAME.test(name)) errors.push(`${label}: the variable name must be letters, digits, '_' or '-', starting with a letter.`);
    else if (typeof path !== 'string' || path.trim() === '' || path.length > 500) errors.push(`${label}: the JSONPath must be a non-empty string, e.g. "$.data.id".`);
    else out[name] = path;
  };
  if (raw.response !== undefined && raw.response !== null) {
    if (!isPlainObject(raw.response)) errors.push('response must be an object of variable names to JSONPaths.');
    else for (const [k, p] of Object.entries(raw.response)) add(k, p, `response.${k}`);
  }
  if (raw.response_data !== undefined && raw.response_data !== null) {
    if (!Array.isArray(raw.response_data)) errors.push('response_data must be an array of {name, data}.');
    else raw.response_data.forEach((item, i) => {
      if (!isPlainObject(item)) errors.push(`response_data[${i}] must be an object {name, data}.`);
      else add(item.name, item.data, `response_data[${i}]`);
    });
  }
  return out;
}

function checkMap(v: unknown, label: string, errors: string[]): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) {
    errors.push(`${label} must be an object.`);
    return {};
  }
  const bad = Object.entries(v).find(([, x]) => x !== null && typeof x === 'object' && label === 'headers');
  if (bad) errors.push(`${label}.${bad[0]} must be a string.`);
  return v;
}

/** Validates a tool given in Bland's shape; `label` prefixes messages (e.g. "tools[1]"). */
export function validateToolDefinition(raw: unknown, ctx: ToolCheckContext, label = ''): ToolValidation {
  const at = (m: string) => (label ? `${label}: ${m}` : m);
  if (!isPlainObject(raw)) return { ok: false, errors: [at('a tool must be an object.')] };
  const errors: string[] = [];
  const name = raw.name;
  if (typeof name !== 'string' || name.trim() === '') errors.push('name is required and must be a string.');
  else if (!FUNCTION_NAME.test(name)) errors.push('name must be 1-64 letters, digits, "_" or "-" (no spaces).');
  else {
    const reserved = reservedWordIn(name);
    if (reserved) errors.push(`name "${name}" contains the reserved word "${reserved}"; reserved words (${RESERVED_TOOL_WORDS.join(', ')}) cannot be part of a tool name.`);
    else if (BUILT_IN_NAMES.includes(name.toLowerCase())) errors.push(`name "${name}" is the name of a built-in agent function.`);
  }
  if (typeof raw.description !== 'string' || raw.description.trim() === '') errors.push('description is required and must be a string.');
  else if (raw.description.length > 4000) errors.push('description must be at most 4000 characters.');
  const urlProblem = checkToolUrl(raw.url, 'url', ctx);
  if (urlProblem) errors.push(urlProblem);
  const method = raw.method === undefined || raw.method === null ? 'GET' : typeof raw.method === 'string' ? raw.method.toUpperCase() : '';
  if (method !== 'GET' && method !== 'POST') errors.push('method must be "GET" or "POST".');
  const headers = checkMap(raw.headers, 'headers', errors);
  const query = checkMap(raw.query, 'query', errors);
  let body: unknown = null;
  if (raw.body !== undefined && raw.body !== null) {
    if (isPlainObject(raw.body)) body = raw.body;
    else if (typeof raw.body === 'string' && /^\s*\{\{\s*input\s*\}\}\s*$/.test(raw.body)) body = '{{input}}';
    else errors.push('body must be an object, or the string "{{input}}".');
  }
  if (raw.speech !== undefined && raw.speech !== null && (typeof raw.speech !== 'string' || raw.speech.length > 1000)) {
    errors.push('speech must be a string of at most 1000 characters.');
  }
  if (raw.input_schema !== undefined && raw.input_schema !== null) errors.push(...checkInputSchema(raw.input_schema, 'input_schema'));
  const response = responseMap(raw, errors);
  let timeoutMs = DEFAULT_TOOL_TIMEOUT_MS;
  if (raw.timeout !== undefined && raw.timeout !== null) {
    if (typeof raw.timeout !== 'number' || !Number.isInteger(raw.timeout) || raw.timeout < 1 || raw.timeout > MAX_TIMEOUT_MS) {
      errors.push(`timeout must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}.`);
    } else timeoutMs = raw.timeout;
  }
  const badKey = unsafeKey(raw);
  if (badKey) errors.push(`the tool has a key that is not allowed: ${JSON.stringify(badKey.slice(0, 40))} (no '.', no leading '$').`);
  if (JSON.stringify(raw).length > 65_536) errors.push('a tool must be at most 64 KiB of JSON.');
  if (errors.length > 0) return { ok: false, errors: errors.map(at) };
  return {
    ok: true,
    spec: {
      toolId: null,
      name: name as string,
      description: raw.description as string,
      url: (raw.url as string).trim(),
      method: method as 'GET' | 'POST',
      headers,
      query,
      body,
      inputSchema: isPlainObject(raw.input_schema) ? raw.input_schema : null,
      speech: typeof raw.speech === 'string' && raw.speech.trim() ? raw.speech : null,
      response,
      timeoutMs,
    },
  };
}

export const TOOL_ID = /^TL-[A-Za-z0-9-]{1,100}$/;
