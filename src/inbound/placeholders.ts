/**
 * Seed 002 writes placeholders with single braces (`{caller_no}`); the templater reads `{{name}}`.
 * In an inbound number's `prompt` and `first_sentence`, a single-brace placeholder is read as the
 * double-brace one when its name is one this number's SIP context defines: a declared header's
 * variable, a lookup column or a lookup answer's field (`singleBraceNames` of the context). Other
 * single braces stay as written, so JSON or `{like this}` in a prompt is left alone, and nothing
 * outside those two texts changes. Pure: it runs on the agent's own text, never on a value.
 */
const SINGLE = /(?<!\{)\{([A-Za-z_][A-Za-z0-9_]{0,63})\}(?!\})/g;

export function acceptSingleBraces(template: string, names: readonly string[]): string {
  if (names.length === 0 || !template.includes('{')) return template;
  const known = new Set(names);
  return template.replace(SINGLE, (whole, name: string) => (known.has(name) ? `{{${name}}}` : whole));
}

/** The texts of an inbound call's parameters where single braces are read (Send Call names). */
const SINGLE_BRACE_FIELDS = ['task', 'prompt', 'first_sentence'] as const;

/** The call's parameters with `{name}` read as `{{name}}` in its prompt and first sentence, for the names given. */
export function withSingleBraces<T extends Record<string, unknown>>(body: T, names: readonly string[]): T {
  if (names.length === 0) return body;
  const out: Record<string, unknown> = { ...body };
  for (const field of SINGLE_BRACE_FIELDS) if (typeof out[field] === 'string') out[field] = acceptSingleBraces(out[field], names);
  return out as T;
}
