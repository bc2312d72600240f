import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { decodeGraph, pathwayCollections } from '../src/db/pathway-store';
import { mask, parsePhoneNumber } from '../src/phone';
import type { Message } from '../src/pathway/prompts';
import { runPathwayTurn, type EnginePorts, type TurnOutcome, type WebhookOutcome } from '../src/pathway/turn';
import type { PathwayGraph, PathwayState } from '../src/pathway/types';
import type { TranscriptLine } from '../src/workflow-api/call';
import type { PathwayRun } from '../src/workflow-api/pathway';
import type { ActivityDeps } from './deps';
import { PathwayGraphError } from '../src/pathway/graph-error';
import { appendCallEvents } from '../src/db/call-events';
import { knowledgeLogEntry, withKnowledgePassages } from '../src/knowledge/pathway';
import { KnowledgeBaseNotFound, searchKnowledgeBase } from '../src/knowledge/search';

export interface PathwayTurnInput {
  orgId: string;
  callId: string;
  pathway: PathwayRun;
  state: PathwayState;
  transcript: TranscriptLine[];
  /** The call's variables (system variables, request_data); pathway variables are in `state`. */
  variables: Record<string, unknown>;
  model: string | null;
  /** Set when resuming after the node's webhook ran (as its own activity). */
  webhookOutcome?: WebhookOutcome | null;
}

export interface PathwayTurnResult extends TurnOutcome {
  modelMs: number;
  /** With a transfer whose number cannot be dialled. */
  transferError?: string;
}

/** A Transfer Call node's number, normalised to E.164 here so the workflow needs no phone library. */
function checkTransfer(out: TurnOutcome): Pick<PathwayTurnResult, 'transferTo' | 'transferError'> {
  if (out.action !== 'transfer') return {};
  const parsed = parsePhoneNumber(out.transferTo ?? '');
  if (!parsed.ok) return { transferTo: undefined, transferError: `Transfer failed: ${mask(out.transferTo ?? '') || 'no number'} is not a valid phone number.` };
  return { transferTo: parsed.e164 };
}

const CACHE_LIMIT = 200;

/**
 * One pathway turn: the engine (src/pathway) with the model behind it. Decisions and extraction
 * are structured output; dialogue is a completion. Versions are immutable, so the graph is
 * cached by version id for the life of the worker.
 */
export function createPathwayTurnActivities({ chat, db }: Pick<ActivityDeps, 'chat' | 'db'>) {
  const cache = new Map<string, PathwayGraph>();
  const versions = pathwayCollections(db.db).versions;

  async function graphOf(orgId: string, versionId: string): Promise<PathwayGraph> {
    const key = `${orgId}:${versionId}`;
    const hit = cache.get(key);
    if (hit) return hit;
    // Archived versions still serve calls that started on them.
    const doc = await versions.findOne({ _id: versionId, org_id: orgId });
    if (!doc) throw ApplicationFailure.nonRetryable(`Pathway version ${versionId} not found`, 'PathwayVersionNotFound');
    const graph = decodeGraph(doc);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, graph);
    return graph;
  }

  return {
    async pathwayTurn(input: PathwayTurnInput): Promise<PathwayTurnResult> {
      const graph = await graphOf(input.orgId, input.pathway.versionId);
      let modelMs = 0;
      const ports: EnginePorts = {
        async structured(messages: Message[], schemaName, schema, temperature) {
          const r = await chat.structured({ messages, schemaName, schema, model: input.model, temperature });
          modelMs += r.elapsedMs;
          return r.value;
        },
        async speak(messages: Message[], temperature) {
          const r = await chat.complete({ messages, model: input.model, temperature });
          modelMs += r.elapsedMs;
          return r.content ?? '';
        },
      };
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 1000);
      try {
        // Knowledge Base nodes whose kb is a KB- id: the passages for the caller's newest line (src/knowledge/pathway.ts).
        const query = [...input.transcript].reverse().find((l) => l.user === 'user')?.text ?? '';
        const kb = await withKnowledgePassages(graph, input.state, input.pathway.startNodeId, query, (kbId, q) =>
          searchKnowledgeBase(db, chat, input.orgId, kbId, q).catch((err: unknown) => {
            if (err instanceof KnowledgeBaseNotFound) return null;
            throw err;
          }),
        );
        const out = await runPathwayTurn(
          {
            graph: kb.graph,
            startNodeId: input.pathway.startNodeId,
            state: input.state,
            transcript: input.transcript,
            callVariables: input.variables,
            webhookOutcome: input.webhookOutcome ?? null,
          },
          ports,
        );
        const used = kb.searched.get(out.node.id);
        // The search the turn ended on goes into pathway_logs too, with its passages.
        const state = used ? { ...out.state, logs: [...out.state.logs, knowledgeLogEntry(out.state.turn, out.node, used, query)] } : out.state;
        if (used) {
          const found = used.found;
          const shown = found?.passages.map((p, i) => `[${i + 1}] (${p.score}) ${p.text}`).join('\n') ?? '';
          await appendCallEvents(db, input.orgId, input.callId, [
            {
              level: 'tool',
              category: found ? 'info' : 'error',
              message: found
                ? `Knowledge base ${used.kbId} at node ${out.node.name}: ${found.passages.length} passage(s) for "${query}"${shown ? `\n${shown}` : ''}`
                : `Knowledge base ${used.kbId} at node ${out.node.name} does not exist`,
            },
          ]);
        }
        return { ...out, state, ...checkTransfer(out), modelMs };
      } catch (err) {
        // A graph that cannot run (no start node, a node removed) will not improve with retries.
        if (err instanceof PathwayGraphError) {
          throw ApplicationFailure.nonRetryable(err.message, 'PathwayGraphError');
        }
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
