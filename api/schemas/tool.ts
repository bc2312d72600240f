import { validateToolDefinition, type ToolCheckContext, type ToolValidation } from '../../src/tools/tool-definition';
import { isPlainObject } from './field-checks';

/**
 * POST /v1/tools and POST /v1/tools/{id} bodies: the tool's own fields (validated by
 * src/tools/tool-definition.ts) plus our optional `label` and `public` (shown by GET as Bland does).
 */
export interface ToolBody {
  validation: ToolValidation;
  /** The definition as stored and shown back: the body without `label` / `public`. */
  tool: Record<string, unknown>;
  label: string | null | undefined;
  public: boolean | undefined;
}

export function parseToolBody(raw: unknown, ctx: ToolCheckContext): ToolBody | { errors: string[] } {
  if (!isPlainObject(raw)) return { errors: ['Request body must be a JSON object.'] };
  const { label, public: isPublic, ...tool } = raw;
  const errors: string[] = [];
  if (label !== undefined && label !== null && (typeof label !== 'string' || label.length > 200)) errors.push('label must be a string of at most 200 characters.');
  if (isPublic !== undefined && typeof isPublic !== 'boolean') errors.push('public must be a boolean.');
  const validation = validateToolDefinition(tool, ctx);
  if (!validation.ok) errors.push(...validation.errors);
  if (errors.length > 0) return { errors };
  return { validation, tool, label: label as string | null | undefined, public: isPublic as boolean | undefined };
}
