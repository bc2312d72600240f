import { z } from 'zod';
import { AS_IS, LABEL } from '../validation/fields';
import { issueMessages } from '../validation/issue-messages';
import { isPlainObject, unsafeKey } from '../validation/json-values';
import type { AllowList } from '../net/allow-list';
import { normaliseHost, urlPort } from '../net/allow-list';
import { blockedReason, parseIp } from '../net/ip-ranges';
import { DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec } from './types';

/**
 * Validation of a custom tool in Bland's shape (POST /v1/tools, inline `tools` in a call), as zod
 * schemas whose messages use the field builders' LABEL (filled with the field's path by
 * `issueMessages`). Every problem is reported at once, in words a Bland user recognises; nothing
 * here touches the network. The URL rule depends on the operator's allow-list, so the schemas are
 * built for a context.
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

/** A plain JSON object, said as `message` when it is not one. */
export const plainObject = (message: string) =>
  z.custom<Record<string, unknown>>((v) => isPlainObject(v), { error: message }).meta({ type: 'object' });

/** A custom issue on a sub-path of the value being refined; its message names that path through LABEL. */
type Ctx = z.core.$RefinementCtx;
const issue = (ctx: Ctx, path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });

/** A user-chosen URL (tools, dynamic_data): the rule of `checkToolUrl`, for this allow-list. */
export const toolUrl = (ctx: ToolCheckContext) =>
  z
    .string({ error: `${LABEL} is required and must be a string.` })
    .superRefine((v, c) => {
      const problem = checkToolUrl(v, LABEL, ctx);
      if (problem) issue(c, [], problem);
    })
    .meta({ format: 'uri', description: 'https; plain http or private addresses only for hosts in OUTBOUND_ALLOWLIST. Templated.' });

const NAME_REQUIRED = `${LABEL} is required and must be a string.`;
const toolName = z
  .string({ error: NAME_REQUIRED })
  .superRefine((name, c) => {
    const reserved = reservedWordIn(name);
    if (name.trim() === '') issue(c, [], NAME_REQUIRED);
    else if (!FUNCTION_NAME.test(name)) issue(c, [], `${LABEL} must be 1-64 letters, digits, "_" or "-" (no spaces).`);
    else if (reserved) {
      issue(c, [], `${LABEL} "${name}" contains the reserved word "${reserved}"; reserved words (${RESERVED_TOOL_WORDS.join(', ')}) cannot be part of a tool name.`);
    } else if (BUILT_IN_NAMES.includes(name.toLowerCase())) issue(c, [], `${LABEL} "${name}" is the name of a built-in agent function.`);
  })
  .meta({ pattern: FUNCTION_NAME.source, description: `Must not contain a reserved word: ${RESERVED_TOOL_WORDS.join(', ')}.` });

const DESCRIPTION_REQUIRED = `${LABEL} is required and must be a string.`;
const toolDescription = z
  .string({ error: DESCRIPTION_REQUIRED })
  .refine((v) => v.trim() !== '', { error: DESCRIPTION_REQUIRED })
  .refine((v) => v.length <= 4000, { error: `${LABEL} must be at most 4000 characters.` });

const METHOD = `${LABEL} must be "GET" or "POST".`;
const toolMethod = z
  .string({ error: METHOD })
  .refine((v) => v.toUpperCase() === 'GET' || v.toUpperCase() === 'POST', { error: METHOD })
  .meta({ enum: ['GET', 'POST'], default: 'GET' });

/** Header values are sent as text: objects and arrays are refused. */
const toolHeaders = plainObject(`${LABEL} must be an object.`)
  .superRefine((v, c) => {
    for (const [k, x] of Object.entries(v)) if (x !== null && typeof x === 'object') issue(c, [k], `${LABEL} must be a string.`);
  })
  .describe('Templated ({{input.x}}, call variables).');

const INPUT = /^\s*\{\{\s*input\s*\}\}\s*$/;
const BODY = `${LABEL} must be an object, or the string "{{input}}".`;
const toolBody = z
  .custom<unknown>((v) => isPlainObject(v) || (typeof v === 'string' && INPUT.test(v)), { error: BODY })
  .meta({ oneOf: [{ type: 'object' }, { const: '{{input}}' }], description: 'Templated; sent as JSON. Not sent with GET.' });

/** A JSON schema, or the seed's loose forms (`"date": "YYYY-MM-DD"`); only what the model needs is checked. */
const inputSchema = plainObject(`${LABEL} must be an object.`)
  .superRefine((v, c) => {
    if (v.type !== undefined && v.type !== 'object') issue(c, ['type'], `${LABEL} must be "object".`);
    if (v.example !== undefined && !isPlainObject(v.example)) issue(c, ['example'], `${LABEL} must be an object.`);
    if (v.properties !== undefined) {
      if (!isPlainObject(v.properties)) issue(c, ['properties'], `${LABEL} must be an object.`);
      else {
        for (const [k, p] of Object.entries(v.properties)) {
          // The seed's loose forms are strings ("YYYY-MM-DD", "monday, wednesday"); anything else is a JSON schema.
          if (typeof p !== 'string' && !isPlainObject(p)) issue(c, ['properties', k], `${LABEL} must be a JSON schema object or a description string.`);
          else if (isPlainObject(p) && p.type !== undefined && typeof p.type !== 'string' && !Array.isArray(p.type)) {
            issue(c, ['properties', k, 'type'], `${LABEL} must be a string.`);
          }
        }
      }
    }
    if (v.required !== undefined && (!Array.isArray(v.required) || v.required.some((r) => typeof r !== 'string'))) {
      issue(c, ['required'], `${LABEL} must be an array of property names.`);
    }
  })
  .describe('JSON schema or the seed\'s loose forms ("date": "YYYY-MM-DD"); `example` is shown to the model.');

/** One `name → JSONPath` entry; its problems are said after the entry's path ("response.id: …"). */
function checkVariable(c: Ctx, path: PropertyKey[], name: unknown, jsonPath: unknown): void {
  if (typeof name !== 'string' || !VARIABLE_NAME.test(name)) issue(c, path, `${LABEL}: the variable name must be letters, digits, '_' or '-', starting with a letter.`);
  else if (typeof jsonPath !== 'string' || jsonPath.trim() === '' || jsonPath.length > 500) {
    issue(c, path, `${LABEL}: the JSONPath must be a non-empty string, e.g. "$.data.id".`);
  }
}

const toolResponse = plainObject(`${AS_IS}response must be an object of variable names to JSONPaths.`)
  .superRefine((v, c) => {
    for (const [k, p] of Object.entries(v)) checkVariable(c, [k], k, p);
  })
  .meta({ additionalProperties: { type: 'string' }, description: 'Variable name → JSONPath. Without it, the body is {{data}}.' });

const toolResponseData = z
  .array(z.unknown(), { error: `${LABEL} must be an array of {name, data}.` })
  .superRefine((items, c) => {
    items.forEach((item, i) => {
      if (!isPlainObject(item)) issue(c, [i], `${LABEL} must be an object {name, data}.`);
      else checkVariable(c, [i], item.name, item.data);
    });
  })
  .meta({ items: { type: 'object', properties: { name: { type: 'string' }, data: { type: 'string' } } }, description: 'The tutorial\'s form of `response`.' });

const TIMEOUT = `${LABEL} must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}.`;

/** The fields of a tool in Bland's docs, each with its checks (absent and null mean "not given"). */
export const toolFields = (ctx: ToolCheckContext) => ({
  name: toolName,
  description: toolDescription,
  url: toolUrl(ctx),
  method: toolMethod.nullish(),
  headers: toolHeaders.nullish(),
  query: plainObject(`${LABEL} must be an object.`).nullish().describe('Templated; appended to the URL.'),
  body: toolBody.nullish(),
  input_schema: inputSchema.nullish(),
  speech: z
    .string({ error: `${LABEL} must be a string of at most 1000 characters.` })
    .max(1000, { error: `${LABEL} must be a string of at most 1000 characters.` })
    .nullish()
    .describe('Said while the tool runs; `input.speech` from the model wins.'),
  response: toolResponse.nullish(),
  response_data: toolResponseData.nullish(),
  timeout: z.number({ error: TIMEOUT }).int({ error: TIMEOUT }).min(1, { error: TIMEOUT }).max(MAX_TIMEOUT_MS, { error: TIMEOUT }).nullish().meta({ default: DEFAULT_TOOL_TIMEOUT_MS, description: 'ms; a call waits at most 120000.' }),
});

/** The fields of a tool in Bland's docs; a tool stores only these. */
export const TOOL_FIELD_NAMES: ReadonlyArray<keyof ReturnType<typeof toolFields>> = [
  'name', 'description', 'url', 'method', 'headers', 'query', 'body', 'input_schema', 'speech', 'response', 'response_data', 'timeout',
];

/** The tool's own fields of a value (what is stored and shown back), in Bland's shape. */
export const toolPart = (v: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(v).filter(([k]) => (TOOL_FIELD_NAMES as readonly string[]).includes(k)));

/** Checks of the tool as a whole: keys the store accepts, and its size. */
export function checkStorableTool(tool: Record<string, unknown>, c: Ctx): void {
  const badKey = unsafeKey(tool);
  if (badKey) issue(c, [], `${AS_IS}the tool has a key that is not allowed: ${JSON.stringify(badKey.slice(0, 40))} (no '.', no leading '$').`);
  if (JSON.stringify(tool).length > 65_536) issue(c, [], `${AS_IS}a tool must be at most 64 KiB of JSON.`);
}

type ToolInput = z.output<z.ZodObject<ReturnType<typeof toolFields>>>;

/** The validated tool, normalised for a call: defaults filled, `response` and `response_data` merged into one map. */
export function toolSpecOf(t: ToolInput): ToolSpec {
  const response: Record<string, string> = {};
  for (const [k, p] of Object.entries(t.response ?? {})) response[k] = p as string;
  for (const item of t.response_data ?? []) {
    const { name, data } = item as { name: string; data: string };
    response[name] = data;
  }
  return {
    toolId: null,
    name: t.name,
    description: t.description,
    url: t.url.trim(),
    method: (t.method ?? 'GET').toUpperCase() as 'GET' | 'POST',
    headers: t.headers ?? {},
    query: t.query ?? {},
    body: typeof t.body === 'string' ? '{{input}}' : (t.body ?? null),
    inputSchema: t.input_schema ?? null,
    speech: typeof t.speech === 'string' && t.speech.trim() ? t.speech : null,
    response,
    timeoutMs: t.timeout ?? DEFAULT_TOOL_TIMEOUT_MS,
  };
}

const isObjectPayload = (payload: { value: unknown }): boolean => isPlainObject(payload.value);

/** A tool given in Bland's shape (an inline tool of a call; other keys are ignored) → its ToolSpec. */
export const toolDefinition = (ctx: ToolCheckContext) =>
  z
    .looseObject(toolFields(ctx), { error: `${AS_IS}a tool must be an object.` })
    .superRefine((v, c) => checkStorableTool(v, c), { when: isObjectPayload })
    .transform(toolSpecOf);

/** Validates a tool given in Bland's shape; `label` prefixes messages (e.g. "tools[1]"). */
export function validateToolDefinition(raw: unknown, ctx: ToolCheckContext, label = ''): ToolValidation {
  const parsed = toolDefinition(ctx).safeParse(raw);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const errors = issueMessages(parsed.error, 'tool');
  return { ok: false, errors: label ? errors.map((m) => `${label}: ${m}`) : errors };
}

export const TOOL_ID = /^TL-[A-Za-z0-9-]{1,100}$/;
