import { z } from 'zod';
import { LABEL, MISSING } from '../validation/fields';
import { issueMessages } from '../validation/issue-messages';
import { isPlainObject, unsafeKey } from '../validation/json-values';
import { plainObject, toolUrl, type ToolCheckContext } from '../tools/tool-definition';
import { DEFAULT_DYNAMIC_DATA_TIMEOUT_MS, type DynamicDataRequest } from './types';

/**
 * `dynamic_data` in Bland's shape (seed 003, dynamic-data tutorial) as zod schemas, for Send Call,
 * batches and POST /v1/dynamic_data/test. Messages name each entry by its path
 * (`dynamic_data[1].response_data[0].data`). URLs follow the tools' rule, for the operator's allow-list.
 */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const VARIABLE_NAME = /^[A-Za-z_][\w-]{0,63}$/;
export const MAX_DYNAMIC_DATA_REQUESTS = 20;

export type DynamicDataValidation = { ok: true; requests: DynamicDataRequest[] } | { ok: false; errors: string[] };

const VARIABLE = `${LABEL} must be an object {name, data, context}.`;
const NAME = `${LABEL} must be a variable name (letters, digits, '_' or '-', starting with a letter).`;
const DATA = `${LABEL} must be a JSONPath string, e.g. "$.customer.member_id".`;
const CONTEXT = `${LABEL} must be a string of at most 2000 characters.`;

const variable = z.object(
  {
    name: z.string({ error: NAME }).regex(VARIABLE_NAME, { error: NAME }),
    data: z
      .string({ error: DATA })
      .max(500, { error: DATA })
      .refine((v) => v.trim() !== '', { error: DATA }),
    context: z.string({ error: CONTEXT }).max(2000, { error: CONTEXT }).nullish().describe('Rendered with the variables and added to the agent\'s knowledge'),
  },
  { error: VARIABLE },
);

const METHOD = `${LABEL} must be one of ${METHODS.join(', ')}.`;
const TIMEOUT = `${LABEL} must be a whole number of milliseconds between 1 and 60000.`;

const entryFields = (ctx: ToolCheckContext) => ({
  url: toolUrl(ctx),
  method: z
    .string({ error: METHOD })
    .refine((v) => (METHODS as readonly string[]).includes(v.toUpperCase()), { error: METHOD })
    .nullish()
    .meta({ enum: [...METHODS], default: 'GET' }),
  headers: plainObject(`${LABEL} must be an object.`).nullish(),
  query: plainObject(`${LABEL} must be an object.`).nullish(),
  body: z
    .custom<unknown>((v) => isPlainObject(v) || Array.isArray(v) || typeof v === 'string', { error: `${LABEL} must be an object, an array or a string.` })
    .nullish()
    .meta({ description: 'Templated; sent as JSON' }),
  cache: z.boolean({ error: `${LABEL} must be a boolean.` }).optional().meta({ default: true }),
  timeout: z.number({ error: TIMEOUT }).int({ error: TIMEOUT }).min(1, { error: TIMEOUT }).max(60_000, { error: TIMEOUT }).nullish().meta({ default: DEFAULT_DYNAMIC_DATA_TIMEOUT_MS }),
  response_data: z.array(variable, { error: `${LABEL} must be an array of {name, data, context}.` }).nullish(),
});

const isObjectPayload = (payload: { value: unknown }): boolean => isPlainObject(payload.value);

/** One entry → the request a call makes (defaults filled). */
export const dynamicDataEntry = (ctx: ToolCheckContext) =>
  z
    .looseObject(entryFields(ctx), { error: `${LABEL} must be an object.` })
    .superRefine(
      (v, c) => {
        const badKey = unsafeKey(v);
        if (badKey) c.addIssue({ code: 'custom', message: `${LABEL} has a key that is not allowed: ${JSON.stringify(badKey.slice(0, 40))} (no '.', no leading '$').` });
      },
      { when: isObjectPayload },
    )
    .transform(
      (r): DynamicDataRequest => ({
        url: r.url.trim(),
        method: (r.method ?? 'GET').toUpperCase() as DynamicDataRequest['method'],
        headers: r.headers ?? {},
        query: r.query ?? {},
        body: r.body ?? null,
        cache: r.cache !== false,
        responseData: (r.response_data ?? []).map((v) => ({ name: v.name, data: v.data, context: v.context ?? null })),
        timeoutMs: r.timeout ?? DEFAULT_DYNAMIC_DATA_TIMEOUT_MS,
      }),
    );

/** A `dynamic_data` array: at most 20 requests, run in order. */
export const dynamicDataList = (ctx: ToolCheckContext) =>
  z
    .array(dynamicDataEntry(ctx), { error: (iss) => (iss.input === undefined ? MISSING : `${LABEL} must be an array.`) })
    .max(MAX_DYNAMIC_DATA_REQUESTS, { error: `${LABEL} must have at most ${MAX_DYNAMIC_DATA_REQUESTS} items.` });

/** Validates a `dynamic_data` array in Bland's shape; every problem is reported with its index. */
export function validateDynamicData(raw: unknown, ctx: ToolCheckContext, label = 'dynamic_data'): DynamicDataValidation {
  const parsed = z.object({ [label]: dynamicDataList(ctx) }).safeParse({ [label]: raw });
  if (parsed.success) return { ok: true, requests: parsed.data[label] as DynamicDataRequest[] };
  return { ok: false, errors: issueMessages(parsed.error) };
}

