/**
 * The one templater for prompts, tool bodies, headers, queries and webhook bodies.
 * `{{name}}` and `{{a.b.c}}` look up variables; objects render as JSON; a missing
 * variable renders as empty. It never evaluates code.
 */
export type Variables = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

export function lookup(vars: Variables, path: string): unknown {
  let current: unknown = vars;
  for (const key of path.split('.')) {
    if (FORBIDDEN_KEYS.has(key) || current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function stringify(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'function' || typeof value === 'symbol') return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderTemplate(template: string, vars: Variables): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => stringify(lookup(vars, path)));
}

/** Renders every string inside a JSON-like value (tool bodies, headers, query maps). */
export function renderDeep<T>(value: T, vars: Variables): T {
  if (typeof value === 'string') return renderTemplate(value, vars) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => renderDeep(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, vars)])) as T;
  }
  return value;
}
