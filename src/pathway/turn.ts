import { renderTemplate } from '../templating';
import {
  decisionMessages, decisionSchema, dialogueMessages, extractionMessages, extractionSchema,
  type Message, type TranscriptTurn,
} from './prompts';
import {
  applyRoute, arriveAtStart, coerceVariable, decidingNode, matchResponsePathway, nodeById, nodeEffect, nodeName, ref,
  routeOptions, STAY,
} from './routing';
import { startNode } from './validate';
import type { PathwayGraph, PathwayLogEntry, PathwayNode, PathwayState, ResponseDataItem } from './types';
import { PathwayGraphError } from './graph-error';

/**
 * One engine turn: decide at the current node, move, and let the target speak. The model is
 * reached only through `EnginePorts`, so the engine stays pure and deterministic given its
 * answers (unit tests and the benchmark pass instant fakes). A Webhook node stops the turn with
 * a request; the caller runs it (as its own activity) and resumes with `webhookOutcome`.
 */

export interface EnginePorts {
  /** Structured output; returns the parsed JSON. */
  structured(messages: Message[], schemaName: string, schema: Record<string, unknown>, temperature: number | null): Promise<unknown>;
  /** Free dialogue for a prompted node. */
  speak(messages: Message[], temperature: number | null): Promise<string>;
}

export interface WebhookRequest {
  nodeId: string;
  url: string;
  method: string;
  headers: Record<string, unknown>;
  body: unknown;
  timeoutMs: number;
  attempts: number;
  responseData: ResponseDataItem[];
  /** The variables the request's templates are rendered with. */
  variables: Record<string, unknown>;
}

export interface WebhookOutcome {
  ok: boolean;
  status: number | null;
  /** `responseData` names → values extracted from the response. */
  variables: Record<string, unknown>;
  error: string | null;
}

export interface TurnContext {
  graph: PathwayGraph;
  startNodeId: string | null;
  state: PathwayState;
  /** Everything said so far, the caller's newest line included. */
  transcript: TranscriptTurn[];
  /** The call's own variables (system variables, request_data); pathway variables win over them. */
  callVariables: Record<string, unknown>;
  webhookOutcome?: WebhookOutcome | null;
}

export interface TurnOutcome {
  state: PathwayState;
  /** Lines to say, in order (a webhook's waiting line, then the next node's dialogue). */
  say: string[];
  action: 'continue' | 'end' | 'transfer' | 'webhook';
  transferTo?: string;
  webhook?: WebhookRequest;
  node: { id: string; name: string };
}

const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const DEFAULT_WEBHOOK_ATTEMPTS = 2;

const lastUserText = (t: TranscriptTurn[]): string => [...t].reverse().find((l) => l.user === 'user')?.text ?? '';
const temperatureOf = (n: PathwayNode): number | null =>
  typeof n.data.modelOptions?.temperature === 'number' ? n.data.modelOptions.temperature : null;
const log = (s: PathwayState, e: PathwayLogEntry): PathwayState => ({ ...s, logs: [...s.logs, e] });

function templateVars(ctx: TurnContext, state: PathwayState): Record<string, unknown> {
  const prev = nodeById(ctx.graph, state.returnNodeId);
  return {
    ...ctx.callVariables,
    ...state.variables,
    lastUserMessage: lastUserText(ctx.transcript),
    prevNodePrompt: prev ? (prev.data.prompt ?? prev.data.text ?? '') : '',
  };
}

async function extract(ctx: TurnContext, state: PathwayState, node: PathwayNode, ports: EnginePorts): Promise<PathwayState> {
  const vars = (node.data.extractVars ?? []).filter((v) => Array.isArray(v) && typeof v[0] === 'string');
  if (vars.length === 0) return state;
  const raw = await ports.structured(extractionMessages(node, vars, ctx.transcript), 'pathway_variables', extractionSchema(vars), 0);
  const obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const found: Record<string, unknown> = {};
  for (const [name, type] of vars) {
    const value = coerceVariable(type, obj[name]);
    if (value !== undefined) found[name] = value;
  }
  if (Object.keys(found).length === 0) return state;
  const next = { ...state, variables: { ...state.variables, ...found } };
  return log(next, { turn: state.turn, kind: 'extract', from: ref(node), to: null, why: `Extracted ${Object.keys(found).join(', ')} at "${nodeName(node)}".`, variables: found });
}

async function arrive(ctx: TurnContext, state: PathwayState, target: PathwayNode, ports: EnginePorts, say: string[]): Promise<TurnOutcome> {
  const effect = nodeEffect(target);
  if (effect === 'webhook') {
    state = await extract(ctx, state, target, ports);
    const vars = templateVars(ctx, state);
    if (target.data.text) say.push(renderTemplate(target.data.text, vars));
    const d = target.data;
    return {
      state,
      say,
      action: 'webhook',
      node: ref(target)!,
      webhook: {
        nodeId: target.id,
        url: d.url ?? '',
        method: (d.method ?? 'POST').toUpperCase(),
        headers: d.headers && typeof d.headers === 'object' ? d.headers : {},
        body: d.body ?? null,
        timeoutMs: typeof d.timeout === 'number' ? d.timeout : DEFAULT_WEBHOOK_TIMEOUT_MS,
        attempts: typeof d.retries === 'number' && d.retries >= 1 ? Math.min(10, Math.floor(d.retries)) : DEFAULT_WEBHOOK_ATTEMPTS,
        responseData: d.responseData ?? [],
        variables: vars,
      },
    };
  }
  const vars = templateVars(ctx, state);
  const line = target.data.text
    ? renderTemplate(target.data.text, vars)
    : target.data.prompt
      ? (await ports.speak(dialogueMessages(ctx.graph, target, ctx.transcript, vars), temperatureOf(target))).trim()
      : '';
  if (line) say.push(line);
  if (effect === 'end') {
    state = log(state, { turn: state.turn, kind: 'end', from: ref(target), to: null, why: `End Call node "${nodeName(target)}" ends the call after its dialogue.` });
    return { state, say, action: 'end', node: ref(target)! };
  }
  if (effect === 'transfer') {
    const transferTo = renderTemplate(target.data.transferNumber ?? '', vars).trim();
    state = log(state, { turn: state.turn, kind: 'transfer', from: ref(target), to: null, why: `Transfer Call node "${nodeName(target)}" transfers to ${transferTo || '(no number)'}.` });
    return { state, say, action: 'transfer', transferTo, node: ref(target)! };
  }
  return { state, say, action: 'continue', node: ref(target)! };
}

async function resumeAfterWebhook(ctx: TurnContext, state: PathwayState, outcome: WebhookOutcome, ports: EnginePorts): Promise<TurnOutcome> {
  const node = nodeById(ctx.graph, state.currentNodeId);
  if (!node) throw new PathwayGraphError(`Pathway node "${state.currentNodeId}" no longer exists`);
  state = { ...state, variables: { ...state.variables, ...outcome.variables } };
  const match = matchResponsePathway(node, state.variables);
  const status = outcome.ok ? `answered ${outcome.status}` : `failed (${outcome.error ?? outcome.status ?? 'error'})`;
  state = log(state, {
    turn: state.turn,
    kind: 'webhook',
    from: ref(node),
    to: match ? ref(nodeById(ctx.graph, match.targetId)) : null,
    why: match
      ? `Webhook ${status}; responsePathways rule ${match.rule[0]} ${match.rule[1]} ${match.rule[2]} holds.`
      : `Webhook ${status}; no responsePathways rule holds, so the agent stays at "${nodeName(node)}".`,
    variables: outcome.variables,
  });
  const target = match ? nodeById(ctx.graph, match.targetId) : undefined;
  if (!target) {
    // The node's prompt is its "after the webhook" dialogue when no rule moves the agent on.
    const line = node.data.prompt ? (await ports.speak(dialogueMessages(ctx.graph, node, ctx.transcript, templateVars(ctx, state)), temperatureOf(node))).trim() : '';
    return { state, say: line ? [line] : [], action: 'continue', node: ref(node)! };
  }
  state = { ...state, currentNodeId: target.id, returnNodeId: null };
  return arrive(ctx, state, target, ports, []);
}

export async function runPathwayTurn(ctx: TurnContext, ports: EnginePorts): Promise<TurnOutcome> {
  let state: PathwayState = { ...ctx.state };
  if (ctx.webhookOutcome) return resumeAfterWebhook(ctx, state, ctx.webhookOutcome, ports);
  state.turn += 1;
  if (state.currentNodeId === null) {
    const start = startNode(ctx.graph, ctx.startNodeId);
    if (!start) throw new PathwayGraphError('The pathway has no start node');
    state = arriveAtStart(state, start, ctx.startNodeId ? `start_node_id "${start.id}" was given.` : `"${nodeName(start)}" is the start node.`);
    return arrive(ctx, state, start, ports, []);
  }
  const { node, log: returned } = decidingNode(ctx.graph, state);
  if (returned) state = { ...log(state, returned), currentNodeId: node.id, returnNodeId: null };
  state = await extract(ctx, state, node, ports);
  const options = routeOptions(ctx.graph, node);
  let chosen = options[0]!;
  let why = 'No routes leave this node; the agent stays.';
  if (options.length > 1) {
    const vars = templateVars(ctx, state);
    const raw = await ports.structured(decisionMessages(node, options, ctx.transcript, vars), 'pathway_decision', decisionSchema(options), temperatureOf(node));
    const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).route : undefined;
    const picked = options.find((o) => o.value === value);
    chosen = picked ?? options[0]!;
    why = !picked
      ? `The model answered ${JSON.stringify(value)}, which is not a route here; the agent stays.`
      : picked.value === STAY
        ? node.data.condition ? `Condition not met yet: ${node.data.condition}` : 'No route fits what the caller said; the agent stays.'
        : picked.kind === 'global'
          ? `Global node chosen: "${picked.label}".`
          : `Edge chosen: "${picked.label}".`;
  }
  const moved = applyRoute(ctx.graph, state, node, chosen, why);
  return arrive(ctx, moved.state, moved.target, ports, []);
}
