import { z } from 'zod';
import { issueMessages } from '../validation/issue-messages';
import { PathwayEdgesSchema, PathwayNodesSchema, webhookUrlProblems, withGraphRules, type UrlCheck } from './graph-schema';
import type { PathwayGraph, PathwayNode } from './types';

/**
 * Checks a pathway graph before it is saved or run (the API, the engine's tests, the benchmarks)
 * with the graph's schemas, and lists every problem at once. Nothing here throws on malformed input.
 */

export type GraphValidation = { ok: true; graph: PathwayGraph } | { ok: false; errors: string[] };

export interface ValidateOptions {
  /** A start node chosen by the caller replaces the `isStart` requirement. */
  startNodeId?: string | null;
  /**
   * The outbound URL rule (scheme, SSRF guard, allow-list) for Webhook nodes' `url`, as for tools;
   * injected so that the engine stays pure. Returns the problem, or null.
   */
  checkUrl?: UrlCheck;
}

const graphSchema = (startNodeId?: string | null) =>
  withGraphRules(z.object({ nodes: PathwayNodesSchema, edges: PathwayEdgesSchema.nullish() }), { startNodeId });

export function validateGraph(nodesIn: unknown, edgesIn: unknown, opts: ValidateOptions = {}): GraphValidation {
  const parsed = graphSchema(opts.startNodeId).safeParse({ nodes: nodesIn, edges: edgesIn });
  const errors = parsed.success ? [] : issueMessages(parsed.error, 'Pathway');
  if (opts.checkUrl && Array.isArray(nodesIn)) errors.push(...webhookUrlProblems(nodesIn, opts.checkUrl));
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, graph: { nodes: parsed.data.nodes, edges: parsed.data.edges ?? [] } };
}

/** The start node: `start_node_id` if given, else the node marked `isStart`. */
export function startNode(graph: PathwayGraph, startNodeId?: string | null): PathwayNode | undefined {
  if (startNodeId) return graph.nodes.find((n) => n.id === startNodeId);
  return graph.nodes.find((n) => n.data.isStart === true);
}
