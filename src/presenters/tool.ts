import { z } from 'zod';
import type { ToolDoc } from '../tools/tool-store';

/** One saved tool, as GET /v1/tools lists it and GET /v1/tools/{id} shows it (the seed's shape). */
export const SavedToolSchema = z.object({
  tool_id: z.string(),
  label: z.string().nullable(),
  tool: z.record(z.string(), z.unknown()).describe('The definition as sent'),
  public: z.boolean(),
});

export const savedTool = (d: ToolDoc): z.infer<typeof SavedToolSchema> => ({ tool_id: d._id, label: d.label, tool: d.tool, public: d.public });
