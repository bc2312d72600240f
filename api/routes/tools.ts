import { Router } from 'express';
import { newToolId, type ToolDoc } from '../../src/tools/tool-store';
import { TOOL_ID } from '../../src/tools/tool-definition';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { parseToolBody } from '../schemas/tool';
import { outboundOf } from '../services/outbound';

const MAX_LISTED = 1000;

/** The seed's shape for one tool in GET /v1/tools and GET /v1/tools/{id}. */
const present = (d: ToolDoc) => ({ tool_id: d._id, label: d.label, tool: d.tool, public: d.public });

/**
 * Custom tools (seed 003 "Custom Tools"): saved definitions that calls reference by `TL-` id.
 * A call snapshots the definition when it is created, so editing or deleting a tool never
 * changes a call already running. Another organisation's tool is a 404.
 */
export function toolsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { tools } = deps.db.collections;
  const ctx = () => ({ allowList: outboundOf(deps).allowList });

  async function owned(orgId: string, id: string): Promise<ToolDoc> {
    if (!TOOL_ID.test(id)) throw notFound('Tool not found.');
    const doc = await tools.findOne({ _id: id });
    if (!doc || doc.org_id !== orgId) throw notFound('Tool not found.');
    return doc;
  }

  router.post('/v1/tools', async (req, res) => {
    const parsed = parseToolBody(req.body, ctx());
    if ('errors' in parsed) throw badRequest(parsed.errors);
    if (!parsed.validation.ok) throw badRequest(parsed.validation.errors);
    const now = new Date();
    const doc: ToolDoc = {
      _id: newToolId(),
      org_id: req.orgId,
      label: parsed.label ?? null,
      public: parsed.public ?? false,
      tool: parsed.tool,
      spec: parsed.validation.spec,
      created_at: now,
      updated_at: now,
    };
    await tools.insertOne(doc);
    res.json({ status: 'success', tool_id: doc._id, ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}) });
  });

  router.get('/v1/tools', async (req, res) => {
    const docs = await tools.find({ org_id: req.orgId }).sort({ created_at: -1 }).limit(MAX_LISTED).toArray();
    res.json({ status: 'success', tools: docs.map(present) });
  });

  router.get('/v1/tools/:tool_id', async (req, res) => {
    const doc = await owned(req.orgId, String(req.params.tool_id));
    res.json({ status: 'success', tool: present(doc) });
  });

  // An update replaces the definition; like creation it needs a complete, valid tool.
  router.post('/v1/tools/:tool_id', async (req, res) => {
    const doc = await owned(req.orgId, String(req.params.tool_id));
    const parsed = parseToolBody(req.body, ctx());
    if ('errors' in parsed) throw badRequest(parsed.errors);
    if (!parsed.validation.ok) throw badRequest(parsed.validation.errors);
    await tools.updateOne(
      { _id: doc._id, org_id: req.orgId },
      {
        $set: {
          tool: parsed.tool,
          spec: parsed.validation.spec,
          label: parsed.label === undefined ? doc.label : parsed.label,
          public: parsed.public ?? doc.public,
          updated_at: new Date(),
        },
      },
    );
    res.json({ status: 'success', tool_id: doc._id, ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}) });
  });

  router.delete('/v1/tools/:tool_id', async (req, res) => {
    const doc = await owned(req.orgId, String(req.params.tool_id));
    await tools.deleteOne({ _id: doc._id, org_id: req.orgId });
    res.json({ status: 'success', message: 'Tool has been deleted.' });
  });

  return router;
}
