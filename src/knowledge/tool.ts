import type { ToolSpec } from '../tools/types';
import type { KnowledgeBaseDoc } from './types';

/** Embedding the question and ranking are quick; this bounds a slow embeddings server. */
const KB_TOOL_TIMEOUT_MS = 15_000;

/** A function name the model accepts (`[a-zA-Z0-9_-]{1,64}`), from the knowledge base's name. */
function toolName(doc: Pick<KnowledgeBaseDoc, 'name'>, taken: ReadonlySet<string>): string {
  const slug = doc.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  const base = `search_${slug || 'knowledge_base'}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  return name;
}

/**
 * A `KB-` id in a call's `tools` becomes this search tool: the model asks it a question and gets
 * the best passages, each with its knowledge base's id. Plain data, snapshotted into the call like
 * a custom tool; the passages themselves are read when the tool runs, from the version then current.
 */
export function knowledgeBaseTool(doc: Pick<KnowledgeBaseDoc, '_id' | 'name' | 'description'>, taken: ReadonlySet<string>): ToolSpec {
  const about = doc.description.trim() ? ` ${doc.description.trim()}` : '';
  return {
    toolId: null,
    knowledgeBase: { id: doc._id, name: doc.name },
    name: toolName(doc, taken),
    description: `Search the knowledge base "${doc.name}".${about} Use it to answer the caller's questions about these topics; answer from the passages it returns, never from guesses.`.slice(0, 1024),
    url: `kb://${doc._id}`,
    method: 'GET',
    headers: {},
    query: {},
    body: null,
    inputSchema: {
      type: 'object',
      properties: { query: { type: 'string', description: "What to look up, in the caller's own words" } },
      required: ['query'],
    },
    speech: null,
    response: {},
    timeoutMs: KB_TOOL_TIMEOUT_MS,
  };
}
