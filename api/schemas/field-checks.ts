/** Small, composable field checks that produce Bland-style messages ("Task must be a string."). */
import { isPlainObject, unsafeKey } from '../../src/validation/json-values';

export type Check = (value: unknown, label: string) => string | null;

export { isPlainObject, unsafeKey };

export const str =
  (max = 10_000): Check =>
  (v, label) =>
    typeof v !== 'string' ? `${label} must be a string.` : v.length > max ? `${label} must be at most ${max} characters.` : null;

export const bool: Check = (v, label) => (typeof v === 'boolean' ? null : `${label} must be a boolean.`);

export const num =
  (min: number, max: number): Check =>
  (v, label) =>
    typeof v !== 'number' || !Number.isFinite(v)
      ? `${label} must be a number.`
      : v < min || v > max
        ? `${label} must be between ${min} and ${max}.`
        : null;

export const obj =
  (maxJsonBytes = 65_536): Check =>
  (v, label) => {
    if (!isPlainObject(v)) return `${label} must be an object.`;
    if (JSON.stringify(v).length > maxJsonBytes) return `${label} must be at most ${maxJsonBytes} bytes of JSON.`;
    const bad = unsafeKey(v);
    return bad ? `${label} has a key that is not allowed: ${JSON.stringify(bad.slice(0, 40))} (no '.', no leading '$').` : null;
  };

export const arr =
  (maxItems: number, item?: Check): Check =>
  (v, label) => {
    if (!Array.isArray(v)) return `${label} must be an array.`;
    if (v.length > maxItems) return `${label} must have at most ${maxItems} items.`;
    if (item) for (const [i, x] of v.entries()) {
      const problem = item(x, `${label}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };

export const oneOf =
  (...checks: Check[]): Check =>
  (v, label) => {
    const problems = checks.map((c) => c(v, label));
    return problems.includes(null) ? null : (problems[0] ?? null);
  };

export const enumOf =
  (...values: string[]): Check =>
  (v, label) =>
    typeof v === 'string' && values.includes(v) ? null : `${label} must be one of: ${values.join(', ')}.`;

export const int =
  (min: number, max: number): Check =>
  (v, label) =>
    Number.isInteger(v) ? num(min, max)(v, label) : `${label} must be an integer.`;

/** An object whose listed fields pass their checks; other fields are refused, so typos are not ignored. */
export const shape =
  (fields: Record<string, Check>): Check =>
  (v, label) => {
    const base = obj(8192)(v, label);
    if (base) return base;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const check = fields[k];
      if (!check) return `${label}.${k} is not a known field (known: ${Object.keys(fields).join(', ')}).`;
      const problem = x === undefined || x === null ? null : check(x, `${label}.${k}`);
      if (problem) return problem;
    }
    return null;
  };

export const url: Check = (v, label) => {
  const problem = str(2048)(v, label);
  if (problem) return problem;
  try {
    const u = new URL(v as string);
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : `${label} must be an http(s) URL.`;
  } catch {
    return `${label} must be a valid URL.`;
  }
};

export function runChecks(body: Record<string, unknown>, checks: Record<string, [string, Check]>): string[] {
  const errors: string[] = [];
  for (const [field, [label, check]] of Object.entries(checks)) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    const problem = check(value, label);
    if (problem) errors.push(problem);
  }
  return errors;
}
