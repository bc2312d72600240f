import { z } from 'zod';
import { checkStorableTool, TOOL_FIELD_NAMES, toolFields, toolPart, toolSpecOf, type ToolCheckContext } from '../../src/tools/tool-definition';
import { bool, optional, str } from '../../src/validation/fields';
import { isPlainObject } from '../../src/validation/json-values';

const isObjectPayload = (payload: { value: unknown }): boolean => isPlainObject(payload.value);

/**
 * POST /v1/tools and POST /v1/tools/{id} bodies: the tool's own fields (src/tools/tool-definition.ts)
 * plus our optional `label` and `public` (shown by GET as Bland does). Any other field is dropped,
 * never stored, and named in `warnings`. Built for the operator's allow-list (the URL rule).
 */
export const toolBody = (ctx: ToolCheckContext) =>
  z
    .looseObject(
      {
        ...toolFields(ctx),
        label: optional(str(200)).describe('A name for the tool, shown back by GET'),
        public: optional(bool()).meta({ default: false }),
      },
      { error: 'Request body must be a JSON object.' },
    )
    .superRefine((v, c) => checkStorableTool(toolPart(v), c), { when: isObjectPayload })
    .transform((v) => {
      const tool = toolPart(v);
      const dropped = Object.keys(v).filter((k) => k !== 'label' && k !== 'public' && !(TOOL_FIELD_NAMES as readonly string[]).includes(k));
      return {
        /** The definition as stored and shown back: the tool's own fields as sent. */
        tool,
        spec: toolSpecOf(v),
        label: v.label,
        public: v.public,
        warnings: dropped.length > 0 ? [`Unknown fields were ignored: ${dropped.slice(0, 10).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}.`] : [],
      };
    });
