import { ApplicationFailure } from '@temporalio/common';
import { runToolRequest, ToolRunError, type ToolRunSuccess } from '../src/tools/run-tool';
import type { ToolSpec } from '../src/tools/types';
import { appendCallEvents } from '../src/db/call-events';
import { KnowledgeBaseNotFound, searchKnowledgeBase } from '../src/knowledge/search';
import type { ActivityDeps } from './deps';

export interface RunToolInput {
  orgId: string;
  callId: string;
  tool: ToolSpec;
  /** The model's arguments ({{input}}). */
  input: Record<string, unknown>;
  /** The call's variables at the moment of the call. */
  variables: Record<string, unknown>;
}

/**
 * One custom-tool request, as its own activity so every run (and every retry) shows in the
 * Temporal UI. A refused destination, a bad URL and a 4xx other than 408/429 fail at once; a
 * timeout, network trouble, 408/429 and 5xx are thrown for the retry policy the workflow chose.
 * Nothing is written here: the workflow records the outcome in the event stream.
 */
export function createToolActivities({ outbound, logger, db, chat }: Pick<ActivityDeps, 'outbound' | 'logger' | 'db' | 'chat'>) {
  /**
   * A knowledge base's search tool (a `KB-` id in the call's tools): the best passages of the
   * version searched now, with the knowledge base's id, for the model; and the same passages in
   * the call's event stream, so an operator sees what the agent knew.
   */
  async function searchTool(input: RunToolInput, kb: { id: string; name: string }): Promise<ToolRunSuccess> {
    const started = Date.now();
    const query = typeof input.input.query === 'string' ? input.input.query.slice(0, 1000) : '';
    let found;
    try {
      found = await searchKnowledgeBase(db, chat, input.orgId, kb.id, query);
    } catch (err) {
      if (!(err instanceof KnowledgeBaseNotFound)) throw err;
      throw ApplicationFailure.create({ message: err.message, type: 'KnowledgeBaseNotFound', nonRetryable: true });
    }
    const shown = found.passages.map((p, i) => `[${i + 1}] (${p.score}) ${p.text}`).join('\n');
    await appendCallEvents(db, input.orgId, input.callId, [
      {
        level: 'tool',
        category: 'info',
        message:
          found.version === null
            ? `Knowledge base ${kb.id} ("${kb.name}") is not indexed yet; nothing found for "${query}"`
            : `Knowledge base ${kb.id} ("${kb.name}") v${found.version}: ${found.passages.length} passage(s) for "${query}"${shown ? `\n${shown}` : ''}`,
      },
    ]);
    return {
      ok: true,
      status: 200,
      durationMs: Date.now() - started,
      // Passages first: what the model reads is cut at a few thousand characters.
      variables: { passages: found.passages, knowledge_base: kb.id, query },
      url: `kb://${kb.id}`,
      method: 'SEARCH',
    };
  }

  return {
    async runTool(input: RunToolInput): Promise<ToolRunSuccess> {
      if (input.tool.knowledgeBase) return searchTool(input, input.tool.knowledgeBase);
      try {
        return await runToolRequest(outbound, input.tool, input.input, input.variables);
      } catch (err) {
        if (!(err instanceof ToolRunError)) throw err;
        // The URL and status only: headers and bodies may carry credentials or personal data.
        logger.info({ callId: input.callId, tool: input.tool.name, status: err.status, retryable: err.retryable }, 'tool request failed');
        throw ApplicationFailure.create({
          message: err.message,
          type: err.retryable ? 'ToolRequestFailed' : 'ToolRequestRefused',
          nonRetryable: !err.retryable,
          details: [{ status: err.status }],
        });
      }
    },
  };
}
