import { isPlainObject, unsafeKey } from '../validation/json-values';
import { checkToolUrl, type ToolCheckContext } from '../tools/tool-definition';
import { DEFAULT_DYNAMIC_DATA_TIMEOUT_MS, type DynamicDataRequest, type DynamicDataVariable } from './types';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const VARIABLE_NAME = /^[A-Za-z_][\w-]{0,63}$/;
export const MAX_DYNAMIC_DATA_REQUESTS = 20;

export type DynamicDataValidation = { ok: true; requests: DynamicDataRequest[] } | { ok: false; errors: string[] };

function responseData(raw: unknown, label: string, errors: string[]): DynamicDataVariable[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push(`${label} must be an array of {name, data, context}.`);
    return [];
  }
  const out: DynamicDataVariable[] = [];
  raw.forEach((item, i) => {
    const at = `${label}[${i}]`;
    if (!isPlainObject(item)) return void errors.push(`${at} must be an object {name, data, context}.`);
    if (typeof item.name !== 'string' || !VARIABLE_NAME.test(item.name)) {
      return void errors.push(`${at}.name must be a variable name (letters, digits, '_' or '-', starting with a letter).`);
    }
    if (typeof item.data !== 'string' || item.data.trim() === '' || item.data.length > 500) {
      return void errors.push(`${at}.data must be a JSONPath string, e.g. "$.customer.member_id".`);
    }
    if (item.context !== undefined && item.context !== null && (typeof item.context !== 'string' || item.context.length > 2000)) {
      return void errors.push(`${at}.context must be a string of at most 2000 characters.`);
    }
    out.push({ name: item.name, data: item.data, context: typeof item.context === 'string' ? item.context : null });
  });
  return out;
}

function one(raw: unknown, label: string, ctx: ToolCheckContext, errors: string[]): DynamicDataRequest | null {
  if (!isPlainObject(raw)) {
    errors.push(`${label} must be an object.`);
    return null;
  }
  const before = errors.length;
  const urlProblem = checkToolUrl(raw.url, `${label}.url`, ctx);
  if (urlProblem) errors.push(urlProblem);
  const method = raw.method === undefined || raw.method === null ? 'GET' : typeof raw.method === 'string' ? raw.method.toUpperCase() : '';
  if (!(METHODS as readonly string[]).includes(method)) errors.push(`${label}.method must be one of ${METHODS.join(', ')}.`);
  for (const key of ['headers', 'query'] as const) {
    if (raw[key] !== undefined && raw[key] !== null && !isPlainObject(raw[key])) errors.push(`${label}.${key} must be an object.`);
  }
  if (raw.body !== undefined && raw.body !== null && !isPlainObject(raw.body) && typeof raw.body !== 'string' && !Array.isArray(raw.body)) {
    errors.push(`${label}.body must be an object, an array or a string.`);
  }
  if (raw.cache !== undefined && typeof raw.cache !== 'boolean') errors.push(`${label}.cache must be a boolean.`);
  let timeoutMs = DEFAULT_DYNAMIC_DATA_TIMEOUT_MS;
  if (raw.timeout !== undefined && raw.timeout !== null) {
    if (typeof raw.timeout !== 'number' || !Number.isInteger(raw.timeout) || raw.timeout < 1 || raw.timeout > 60_000) {
      errors.push(`${label}.timeout must be a whole number of milliseconds between 1 and 60000.`);
    } else timeoutMs = raw.timeout;
  }
  const variables = responseData(raw.response_data, `${label}.response_data`, errors);
  const badKey = unsafeKey(raw);
  if (badKey) errors.push(`${label} has a key that is not allowed: ${JSON.stringify(badKey.slice(0, 40))} (no '.', no leading '$').`);
  if (errors.length > before) return null;
  return {
    url: (raw.url as string).trim(),
    method: method as DynamicDataRequest['method'],
    headers: isPlainObject(raw.headers) ? raw.headers : {},
    query: isPlainObject(raw.query) ? raw.query : {},
    body: raw.body ?? null,
    cache: raw.cache !== false,
    responseData: variables,
    timeoutMs,
  };
}

/** Validates a `dynamic_data` array in Bland's shape; every problem is reported with its index. */
export function validateDynamicData(raw: unknown, ctx: ToolCheckContext, label = 'dynamic_data'): DynamicDataValidation {
  if (!Array.isArray(raw)) return { ok: false, errors: [`${label} must be an array.`] };
  if (raw.length > MAX_DYNAMIC_DATA_REQUESTS) return { ok: false, errors: [`${label} must have at most ${MAX_DYNAMIC_DATA_REQUESTS} items.`] };
  const errors: string[] = [];
  const requests = raw.map((r, i) => one(r, `${label}[${i}]`, ctx, errors));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, requests: requests as DynamicDataRequest[] };
}
