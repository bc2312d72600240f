import type { FunctionTool } from '../llm/chat-model';
import type { ToolSpec } from './types';

/**
 * A tool as the model sees it: a function whose parameters come from `input_schema`. The seed
 * allows loose schemas ("date": "YYYY-MM-DD", "options": "monday, wednesday") and properties
 * given only through `example`; each becomes a JSON-schema property whose description carries the
 * loose text and the example value, so the model gets the same hints a Bland agent gets.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOfExample(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object') return 'object';
  return 'string';
}

function withExample(description: string | undefined, example: unknown): string | undefined {
  if (example === undefined) return description;
  const shown = `Example: ${JSON.stringify(example)}`;
  return description ? `${description}. ${shown}` : shown;
}

function property(raw: unknown, example: unknown): Json {
  if (typeof raw === 'string') {
    // A loose form: its text is the instruction, e.g. a format or the allowed options.
    return { type: 'string', description: withExample(raw, example) };
  }
  if (isObject(raw)) {
    const copy: Json = { ...raw };
    if (copy.type === undefined) copy.type = example !== undefined ? typeOfExample(example) : 'string';
    if (copy.type === 'array' && copy.items === undefined) copy.items = {};
    const described = withExample(typeof copy.description === 'string' ? copy.description : undefined, example);
    if (described) copy.description = described;
    return copy;
  }
  return { type: typeOfExample(example), ...(example !== undefined ? { description: withExample(undefined, example) } : {}) };
}

/** `input_schema` → the function's `parameters` (always an object schema). */
export function toolParameters(schema: Json | null): Json {
  if (!schema) return { type: 'object', properties: {} };
  const example = isObject(schema.example) ? schema.example : {};
  const declared = isObject(schema.properties) ? schema.properties : {};
  const names = [...new Set([...Object.keys(declared), ...Object.keys(example)])];
  const properties = Object.fromEntries(names.map((n) => [n, property(declared[n], example[n])]));
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string' && r in properties) : [];
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

export function toolFunction(spec: ToolSpec): FunctionTool {
  const example = spec.inputSchema && isObject(spec.inputSchema.example) ? spec.inputSchema.example : null;
  const speechHint =
    spec.inputSchema && isObject(spec.inputSchema.properties) && 'speech' in spec.inputSchema.properties
      ? ' Put what you say to the caller while it runs in "speech".'
      : '';
  return {
    name: spec.name,
    description: `${spec.description}${speechHint}${example ? `\nExample input: ${JSON.stringify(example)}` : ''}`,
    parameters: toolParameters(spec.inputSchema),
  };
}
