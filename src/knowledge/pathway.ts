import type { PathwayGraph, PathwayLogEntry, PathwayNode, PathwayState } from '../pathway/types';
import type { KnowledgeSearchResult } from './search';
import { KB_ID } from './types';

/** A Knowledge Base node's `kb` that names a knowledge base (`KB-<uuid>`) rather than holding text. */
export const kbIdOf = (node: PathwayNode): string | null => {
  const kb = typeof node.data.kb === 'string' ? node.data.kb.trim() : '';
  return KB_ID.test(kb) ? kb : null;
};

/** Nodes the turn may speak at: the current one, where its edges lead, and the global nodes (the start node before the first turn). */
function reachable(graph: PathwayGraph, state: PathwayState, startNodeId: string | null): PathwayNode[] {
  const from = state.currentNodeId ?? startNodeId ?? graph.nodes.find((n) => n.data.isStart === true)?.id ?? null;
  const ids = new Set<string>(from ? [from] : []);
  for (const e of graph.edges) if (e.source === from) ids.add(e.target);
  return graph.nodes.filter((n) => ids.has(n.id) || n.data.isGlobal === true);
}

/** The passages as the node's knowledge-base text: what the dialogue prompt shows the model. */
export function passagesText(kbId: string, found: KnowledgeSearchResult | null): string {
  if (!found) return `(The knowledge base ${kbId} does not exist; say you cannot look this up.)`;
  if (found.passages.length === 0) return `(Nothing in the knowledge base ${kbId} matches; say you do not know.)`;
  // The node's kb is templated by the engine; a passage is data, so its braces must not form a placeholder.
  return found.passages.map((p, i) => `[${i + 1}] (${kbId}) ${p.text.replace(/\{\{/g, '{ {').replace(/\}\}/g, '} }')}`).join('\n\n');
}

/**
 * A pathway whose Knowledge Base nodes name a knowledge base by id: each such node the turn may
 * reach gets, as its `kb` text, the passages found for the caller's newest line, so the engine
 * (which pastes `kb` into the node's prompt) needs no change. Nodes with pasted text are left as
 * they are. The graph passed in (cached per version) is not changed.
 */
export async function withKnowledgePassages(
  graph: PathwayGraph,
  state: PathwayState,
  startNodeId: string | null,
  query: string,
  search: (kbId: string, query: string) => Promise<KnowledgeSearchResult | null>,
): Promise<{ graph: PathwayGraph; searched: Map<string, { kbId: string; found: KnowledgeSearchResult | null }> }> {
  const searched = new Map<string, { kbId: string; found: KnowledgeSearchResult | null }>();
  const targets = reachable(graph, state, startNodeId).filter((n) => kbIdOf(n) !== null);
  if (targets.length === 0) return { graph, searched };
  const byKb = new Map<string, Promise<KnowledgeSearchResult | null>>();
  for (const n of targets) {
    const kbId = kbIdOf(n)!;
    if (!byKb.has(kbId)) byKb.set(kbId, search(kbId, query));
  }
  for (const n of targets) {
    const kbId = kbIdOf(n)!;
    searched.set(n.id, { kbId, found: await byKb.get(kbId)! });
  }
  const nodes = graph.nodes.map((n) => {
    const hit = searched.get(n.id);
    return hit ? { ...n, data: { ...n.data, kb: passagesText(hit.kbId, hit.found) } } : n;
  });
  return { graph: { ...graph, nodes }, searched };
}

/** The pathway log entry of a Knowledge Base node's search, so `pathway_logs` shows what the agent knew. */
export function knowledgeLogEntry(
  turn: number,
  node: { id: string; name: string },
  search: { kbId: string; found: KnowledgeSearchResult | null },
  query: string,
): PathwayLogEntry {
  const { kbId, found } = search;
  return {
    turn,
    kind: 'knowledge',
    from: node,
    to: null,
    why: found ? `Knowledge base ${kbId}: ${found.passages.length} passage(s) for "${query}".` : `Knowledge base ${kbId} does not exist.`,
    kb_id: kbId,
    passages: found?.passages.map((p) => ({ text: p.text, score: p.score })) ?? [],
  };
}
