import { validateToolDefinition, type ToolCheckContext, type ToolValidation } from '../../src/tools/tool-definition';
import { isPlainObject } from './field-checks';

/**
 * POST /v1/tools and POST /v1/tools/{id} bodies: the tool's own fields (validated by
 * src/tools/tool-definition.ts) plus our optional `label` and `public` (shown by GET as Bland does).
 */
/** The fields of a tool in Bland's docs; anything else is dropped (and named in `warnings`), never stored. */
const TOOL_FIELDS = new Set([
  'name', 'description', 'url', 'method', 'headers', 'query', 'body', 'input_schema', 'speech', 'response', 'response_data', 'timeout',
]);

export interface ToolBody {
  validation: ToolValidation;
  /** The definition as stored and shown back: the tool's own fields, without `label` / `public`. */
  tool: Record<string, unknown>;
  /** Unknown fields that were dropped. */
  warnings: string[];
  label: string | null | undefined;
  public: boolean | undefined;
}

export function parseToolBody(raw: unknown, ctx: ToolCheckContext): ToolBody | { errors: string[] } {
  if (!isPlainObject(raw)) return { errors: ['Request body must be a JSON object.'] };
  const { label, public: isPublic, ...sent } = raw;
  const tool = Object.fromEntries(Object.entries(sent).filter(([k]) => TOOL_FIELDS.has(k)));
  const dropped = Object.keys(sent).filter((k) => !TOOL_FIELDS.has(k));
  const warnings = dropped.length > 0 ? [`Unknown fields were ignored: ${dropped.slice(0, 10).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}.`] : [];
  const errors: string[] = [];
  if (label !== undefined && label !== null && (typeof label !== 'string' || label.length > 200)) errors.push('label must be a string of at most 200 characters.');
  if (isPublic !== undefined && typeof isPublic !== 'boolean') errors.push('public must be a boolean.');
  const validation = validateToolDefinition(tool, ctx);
  if (!validation.ok) errors.push(...validation.errors);
  if (errors.length > 0) return { errors };
  return { validation, tool, warnings, label: label as string | null | undefined, public: isPublic as boolean | undefined };
}
