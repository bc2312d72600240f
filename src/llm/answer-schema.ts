/**
 * Bland's loose type descriptions (`analysis_schema`, the analyze endpoint's questions) turned into
 * JSON Schemas in OpenAI's strict subset, and a validator for what comes back. Every answer is
 * nullable, because a call may simply not say. The validator coerces nothing: "3" is not 3.
 */

export type JsonSchema = Record<string, unknown>;

export class AnswerSchemaError extends Error {
  override name = 'AnswerSchemaError';
}

const MAX_DEPTH = 5;
const MAX_KEYS = 100;
const PRIMITIVES: Record<string, 'string' | 'number' | 'integer' | 'boolean'> = {
  string: 'string', str: 'string', text: 'string',
  number: 'number', float: 'number', double: 'number', decimal: 'number', numeric: 'number',
  integer: 'integer', int: 'integer',
  boolean: 'boolean', bool: 'boolean',
};
const FRAGMENT_KEYS = new Set(['type', 'description', 'enum', 'items', 'properties']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Answers may be missing; object and array go through anyOf, which every strict server accepts. */
export function nullable(s: JsonSchema): JsonSchema {
  if (s.type === 'object' || s.type === 'array') return { anyOf: [s, { type: 'null' }] };
  return Array.isArray(s.enum) ? { ...s, type: [s.type, 'null'], enum: [...s.enum, null] } : { ...s, type: [s.type, 'null'] };
}

function closedObject(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/**
 * A type word: `string`, `number`, `integer`, `boolean` (and synonyms), `array`/`list` (of strings),
 * `array of X`, `X[]`, `list of X`. Anything else ("email", "YYYY-MM-DD HH:MM:SS", "human or voicemail")
 * is a string whose description is that text, as the seed's own examples use it.
 */
export function typeWordSchema(word: string, path: string, depth = 0): JsonSchema {
  const w = word.trim().toLowerCase();
  const primitive = PRIMITIVES[w];
  if (primitive) return { type: primitive };
  const of = /^(?:array|list) of (.+)$/.exec(w)?.[1] ?? /^(.+)\[\]$/.exec(w)?.[1];
  if (of !== undefined && depth < MAX_DEPTH) {
    const singular = PRIMITIVES[of] === undefined && PRIMITIVES[of.replace(/s$/, '')] !== undefined ? of.replace(/s$/, '') : of;
    return { type: 'array', items: typeWordSchema(singular, `${path}[]`, depth + 1) };
  }
  if (w === 'array' || w === 'list') return { type: 'array', items: { type: 'string' } };
  if (w === 'object' || w === 'dict' || w === 'json') {
    throw new AnswerSchemaError(`${path}: "${word}" needs its keys, e.g. {"${path.split('.').pop()}": {"city": "string"}}`);
  }
  return { type: 'string', description: word.trim().slice(0, 500) };
}

/** One analysis_schema value: a type word, a nested object of keys, `[X]` (array of X), an enum list, or a JSON Schema fragment. */
function fieldSchema(spec: unknown, path: string, depth: number): JsonSchema {
  if (depth > MAX_DEPTH) throw new AnswerSchemaError(`${path}: nested more than ${MAX_DEPTH} levels`);
  if (typeof spec === 'string') return typeWordSchema(spec, path);
  if (Array.isArray(spec)) {
    if (spec.length === 1) return { type: 'array', items: fieldSchema(spec[0], `${path}[]`, depth + 1) };
    if (spec.length > 1 && spec.every((v) => typeof v === 'string')) return { type: 'string', enum: [...new Set(spec)] };
    throw new AnswerSchemaError(`${path}: a list is either [type] for an array or two or more strings for a choice`);
  }
  if (isRecord(spec)) {
    const type = spec.type;
    if (typeof type === 'string' && Object.keys(spec).every((k) => FRAGMENT_KEYS.has(k))) return fragmentSchema(spec, type, path, depth);
    return closedObject(propertiesOf(spec, path, depth + 1));
  }
  throw new AnswerSchemaError(`${path}: expected a type description, got ${spec === null ? 'null' : typeof spec}`);
}

/** `{"type": "string", "description": "...", "enum": [...]}` as Vapi and Retell users write it. */
function fragmentSchema(spec: Record<string, unknown>, type: string, path: string, depth: number): JsonSchema {
  const description = typeof spec.description === 'string' ? { description: spec.description.slice(0, 500) } : {};
  if (type === 'object') {
    if (!isRecord(spec.properties)) throw new AnswerSchemaError(`${path}: an object needs "properties"`);
    return { ...closedObject(propertiesOf(spec.properties, path, depth + 1)), ...description };
  }
  if (type === 'array') {
    const items = spec.items === undefined ? { type: 'string' } : fieldSchema(spec.items, `${path}[]`, depth + 1);
    return { type: 'array', items, ...description };
  }
  const base = typeWordSchema(type, path);
  if (Array.isArray(spec.enum)) {
    if (!spec.enum.every((v) => typeof v === 'string' || typeof v === 'number')) throw new AnswerSchemaError(`${path}: enum values must be strings or numbers`);
    return { ...base, ...description, enum: spec.enum };
  }
  return { ...base, ...description };
}

function propertiesOf(spec: Record<string, unknown>, path: string, depth: number): Record<string, JsonSchema> {
  const entries = Object.entries(spec);
  if (entries.length === 0) throw new AnswerSchemaError(`${path}: no keys to fill`);
  if (entries.length > MAX_KEYS) throw new AnswerSchemaError(`${path}: more than ${MAX_KEYS} keys`);
  const out: Record<string, JsonSchema> = {};
  for (const [key, value] of entries) {
    // The answer is stored as a document: MongoDB keys may not contain "." or start with "$".
    if (!key || key.includes('.') || key.startsWith('$')) throw new AnswerSchemaError(`${path}: key "${key}" cannot be stored`);
    out[key] = nullable(fieldSchema(value, `${path}.${key}`, depth));
  }
  return out;
}

/** `analysis_schema` → the root schema of the structured answer. */
export function analysisJsonSchema(spec: Record<string, unknown>): JsonSchema {
  return closedObject(propertiesOf(spec, 'analysis_schema', 1));
}

/** The analyze endpoint's questions → one property per question, in order; `keys[i]` answers `questions[i]`. */
export function questionsJsonSchema(questions: ReadonlyArray<readonly [string, string]>): { schema: JsonSchema; keys: string[] } {
  const properties: Record<string, JsonSchema> = {};
  const keys = questions.map(([question, type], i) => {
    // Readable keys help the model (and the offline model's name-based extraction); the index keeps them unique.
    const slug = question.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 48);
    const key = `q${i + 1}${slug ? `_${slug}` : ''}`;
    let schema: JsonSchema;
    try {
      schema = typeWordSchema(type, key);
    } catch {
      schema = { type: 'string', description: type };
    }
    properties[key] = nullable({ ...schema, description: `${question}${schema.description ? ` (${String(schema.description)})` : ''}` });
    return key;
  });
  return { schema: closedObject(properties), keys };
}

const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  null: (v) => v === null,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  object: isRecord,
  array: Array.isArray,
};

const show = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v);

/** Problems of `value` against a schema this module produced; empty when it conforms. */
export function validateAnswer(schema: JsonSchema, value: unknown, path = '$', out: string[] = []): string[] {
  if (out.length >= 10) return out;
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as JsonSchema[];
    if (branches.some((b) => validateAnswer(b, value, path).length === 0)) return out;
    const concrete = branches.find((b) => b.type !== 'null') ?? {};
    return value === null ? [...out, `${path}: null is not allowed`] : validateAnswer(concrete, value, path, out);
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.length > 0 && !types.some((t) => TYPE_CHECKS[t]?.(value))) {
    out.push(`${path}: expected ${types.join(' or ')}, got ${show(value)}`);
    return out;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: ${show(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (isRecord(value) && isRecord(schema.properties)) {
    const props = schema.properties as Record<string, JsonSchema>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!Object.hasOwn(value, key)) out.push(`${path}.${key}: missing`);
    for (const [key, v] of Object.entries(value)) {
      if (Object.hasOwn(props, key)) validateAnswer(props[key]!, v, `${path}.${key}`, out);
      else if (schema.additionalProperties === false) out.push(`${path}.${key}: not in the schema`);
    }
  }
  if (Array.isArray(value) && isRecord(schema.items)) value.forEach((v, i) => validateAnswer(schema.items as JsonSchema, v, `${path}[${i}]`, out));
  return out.slice(0, 10);
}
