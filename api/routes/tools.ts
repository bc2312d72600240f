import { Router } from 'express';
import { savedTool } from '../../src/presenters/tool';
import { newToolId, type ToolDoc } from '../../src/tools/tool-store';
import { TOOL_ID } from '../../src/tools/tool-definition';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createTool, deleteTool, getTool, listTools, updateTool } from '../endpoints/tools';
import { notFound } from '../errors';
import { toolBody } from '../schemas/tool';
import { outboundOf } from '../services/outbound';

const MAX_LISTED = 1000;

/**
 * Custom tools (seed 003 "Custom Tools"): saved definitions that calls reference by `TL-` id.
 * A call snapshots the definition when it is created, so editing or deleting a tool never
 * changes a call already running. Another organisation's tool is a 404.
 */
export function toolsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { tools } = deps.db.collections;
  // The described schemas, built for this deployment's allow-list.
  const body = toolBody({ allowList: outboundOf(deps).allowList });

  async function owned(orgId: string, id: string): Promise<ToolDoc> {
    if (!TOOL_ID.test(id)) throw notFound('Tool not found.');
    const doc = await tools.findOne({ _id: id });
    if (!doc || doc.org_id !== orgId) throw notFound('Tool not found.');
    return doc;
  }

  mountEndpoint(router, { ...createTool, body }, async ({ body: parsed }, req, res) => {
    const now = new Date();
    const doc: ToolDoc = {
      _id: newToolId(),
      org_id: req.orgId,
      label: parsed.label ?? null,
      public: parsed.public ?? false,
      tool: parsed.tool,
      spec: parsed.spec,
      created_at: now,
      updated_at: now,
    };
    await tools.insertOne(doc);
    res.json({ status: 'success', tool_id: doc._id, ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}) });
  });

  mountEndpoint(router, listTools, async (_input, req, res) => {
    const docs = await tools.find({ org_id: req.orgId }).sort({ created_at: -1 }).limit(MAX_LISTED).toArray();
    res.json({ status: 'success', tools: docs.map(savedTool) });
  });

  mountEndpoint(router, getTool, async ({ params }, req, res) => {
    const doc = await owned(req.orgId, params.tool_id);
    res.json({ status: 'success', tool: savedTool(doc) });
  });

  // An update replaces the definition; like creation it needs a complete, valid tool.
  mountEndpoint(router, { ...updateTool, body }, async ({ params, body: parsed }, req, res) => {
    const doc = await owned(req.orgId, params.tool_id);
    await tools.updateOne(
      { _id: doc._id, org_id: req.orgId },
      {
        $set: {
          tool: parsed.tool,
          spec: parsed.spec,
          label: parsed.label === undefined ? doc.label : parsed.label,
          public: parsed.public ?? doc.public,
          updated_at: new Date(),
        },
      },
    );
    res.json({ status: 'success', tool_id: doc._id, ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}) });
  });

  mountEndpoint(router, deleteTool, async ({ params }, req, res) => {
    const doc = await owned(req.orgId, params.tool_id);
    await tools.deleteOne({ _id: doc._id, org_id: req.orgId });
    res.json({ status: 'success', message: 'Tool has been deleted.' });
  });

  return router;
}
