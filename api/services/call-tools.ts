import { validateDynamicData } from '../../src/dynamic-data/validate';
import type { DynamicDataRequest } from '../../src/dynamic-data/types';
import { TOOL_ID, validateToolDefinition } from '../../src/tools/tool-definition';
import { findToolsForOrg } from '../../src/tools/tool-store';
import type { ToolSpec } from '../../src/tools/types';
import { knowledgeBaseTool } from '../../src/knowledge/tool';
import { KB_ID } from '../../src/knowledge/types';
import type { ApiDeps } from '../deps';
import { badRequest } from '../errors';
import { outboundOf } from './outbound';

export interface CallExtras {
  tools?: ToolSpec[];
  dynamicData?: DynamicDataRequest[];
}

/**
 * A Send Call body's `tools` (inline objects, `TL-` tool ids and `KB-` knowledge base ids of the caller's organisation) and
 * `dynamic_data`, validated and resolved BEFORE anything is stored or started: an unknown or
 * foreign tool id, or an invalid definition, is a 400 and no call exists. The full definitions
 * are snapshotted into the workflow input, so editing a tool does not change a running call.
 */
export async function resolveCallExtras(deps: ApiDeps, orgId: string, body: Record<string, unknown>): Promise<CallExtras> {
  const ctx = { allowList: outboundOf(deps).allowList };
  const errors: string[] = [];
  const extras: CallExtras = {};
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const strings = body.tools.filter((t): t is string => typeof t === 'string');
    const kbIds = strings.filter((id) => KB_ID.test(id));
    const ids = strings.filter((id) => !KB_ID.test(id));
    const malformed = ids.filter((id) => !TOOL_ID.test(id));
    for (const id of malformed) errors.push(`tools: "${id.slice(0, 60)}" is not a tool id (TL-…), a knowledge base id (KB-…) or a tool object.`);
    const kbs = new Map(
      kbIds.length === 0
        ? []
        : (await deps.db.collections.knowledgeBases
            .find({ _id: { $in: kbIds }, org_id: orgId }, { projection: { name: 1, description: 1 } })
            .toArray()).map((d) => [d._id, d] as const),
    );
    for (const id of kbIds) if (!kbs.has(id)) errors.push(`tools: no knowledge base with id ${id}.`);
    const { found, missing } = malformed.length ? { found: new Map(), missing: [] } : await findToolsForOrg(deps.db.collections.tools, orgId, ids);
    for (const id of missing) errors.push(`tools: no tool with id ${id}.`);
    const specs: ToolSpec[] = [];
    body.tools.forEach((t, i) => {
      if (typeof t === 'string') {
        const kb = kbs.get(t);
        if (kb) {
          // The same knowledge base twice is one tool.
          if (!specs.some((s) => s.knowledgeBase?.id === kb._id)) specs.push(knowledgeBaseTool(kb, new Set(specs.map((s) => s.name))));
          return;
        }
        const doc = found.get(t);
        if (doc) specs.push({ ...doc.spec, toolId: doc._id });
        return;
      }
      const checked = validateToolDefinition(t, ctx, `tools[${i}]`);
      if (checked.ok) specs.push(checked.spec);
      else errors.push(...checked.errors);
    });
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) errors.push(`tools: two tools are named "${s.name}"; names must be unique within a call.`);
      seen.add(s.name);
    }
    extras.tools = specs;
  }
  if (Array.isArray(body.dynamic_data) && body.dynamic_data.length > 0) {
    const checked = validateDynamicData(body.dynamic_data, ctx);
    if (checked.ok) extras.dynamicData = checked.requests;
    else errors.push(...checked.errors);
  }
  if (errors.length > 0) throw badRequest(errors);
  return extras;
}
