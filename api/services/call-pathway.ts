import { decodeGraph, pathwayCollections, resolveRunVersion } from '../../src/db/pathway-store';
import { startNode } from '../../src/pathway/validate';
import type { PathwayRun } from '../../src/workflow-api/pathway';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';

/**
 * `pathway_id` on Send Call: the version the call will run is fixed now, before anything is stored
 * or started — the one named by `pathway_version` (a number or id), else production, else the
 * latest saved. A missing pathway or version is a 404, a bad start node a 400.
 */
export async function resolveCallPathway(deps: ApiDeps, orgId: string, body: Record<string, unknown>): Promise<PathwayRun | undefined> {
  const pathwayId = body.pathway_id;
  if (typeof pathwayId !== 'string' || pathwayId === '') return undefined;
  const ref = body.pathway_version;
  const resolved = await resolveRunVersion(pathwayCollections(deps.db.db), orgId, pathwayId, typeof ref === 'string' || typeof ref === 'number' ? ref : null);
  if ('error' in resolved) {
    throw notFound(resolved.error === 'pathway' ? 'Pathway not found.' : 'Pathway version not found (save the pathway first).');
  }
  const startNodeId = typeof body.start_node_id === 'string' && body.start_node_id !== '' ? body.start_node_id : null;
  const graph = decodeGraph(resolved.version);
  if (startNodeId && !graph.nodes.some((n) => n.id === startNodeId)) throw badRequest([`start_node_id "${startNodeId}" is not a node of this pathway.`]);
  if (!startNode(graph, startNodeId)) throw badRequest(['The pathway has no start node; give start_node_id or mark a node isStart.']);
  return { pathwayId: resolved.pathway._id, versionId: resolved.version._id, versionNumber: resolved.version.version_number, startNodeId };
}
