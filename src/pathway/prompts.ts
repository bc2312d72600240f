import { renderTemplate } from '../templating';
import { nodeName, STAY, type RouteOption } from './routing';
import type { ExtractVar, FewShotExample, PathwayGraph, PathwayNode } from './types';

/**
 * What the model is asked, and in what shape. Decisions and extraction are structured output
 * (a JSON schema in OpenAI's strict subset), never free text parsed by pattern. The first line
 * of each system prompt names the node (`Decision at node "<id>"`), which lets tests script the
 * model's answer for exactly one decision.
 */

export interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TranscriptTurn {
  user: string;
  text: string;
}

const history = (lines: TranscriptTurn[]): Message[] =>
  lines
    .filter((l) => (l.user === 'user' || l.user === 'assistant') && l.text)
    .map((l) => ({ role: l.user === 'user' ? 'user' : 'assistant', content: l.text }));

function examples(title: string, list: FewShotExample[] | undefined): string[] {
  if (!Array.isArray(list) || list.length === 0) return [];
  const lines = list.slice(0, 20).map((e) => {
    const input = e.userInput ?? e.input ?? e.user ?? '';
    const output = e.output ?? e.pathway ?? e.answer ?? e.dialogue ?? '';
    return `- caller: ${JSON.stringify(String(input))} → ${JSON.stringify(String(output))}`;
  });
  return ['', `${title}:`, ...lines];
}

export function globalPromptOf(g: PathwayGraph, node: PathwayNode): string {
  const own = typeof node.data.globalPrompt === 'string' ? node.data.globalPrompt : '';
  if (own) return own;
  // The editor copies the global prompt into every node; a graph edited by hand may carry it on one.
  return g.nodes.map((n) => n.data.globalPrompt).find((p): p is string => typeof p === 'string' && p !== '') ?? '';
}

export const DECISION_SCHEMA_NAME = 'pathway_decision';

/** An enum of the options; the description maps each to its label, so the choice is made by meaning. */
export function decisionSchema(options: RouteOption[]): Record<string, unknown> {
  const description = options
    .map((o) => (o.value === STAY ? `${STAY}: none of the routes fit yet, or the condition is not met` : `${o.value}: ${o.label}`))
    .join('; ');
  return {
    type: 'object',
    properties: { route: { type: 'string', enum: options.map((o) => o.value), description } },
    required: ['route'],
    additionalProperties: false,
  };
}

export function decisionMessages(node: PathwayNode, options: RouteOption[], transcript: TranscriptTurn[], vars: Record<string, unknown>): Message[] {
  const condition = typeof node.data.condition === 'string' && node.data.condition.trim() ? renderTemplate(node.data.condition, vars) : null;
  const system = [
    `Decision at node "${node.id}" (${nodeName(node)}).`,
    'You route a phone conversation through a graph. Read the last thing the caller said and choose the route that fits it.',
    condition
      ? `This node has a condition that must be met before any ordinary route may be taken: ${condition}. If it is not met, choose "${STAY}". Global routes may be taken even when it is not met.`
      : `Choose "${STAY}" when no route fits.`,
    'Routes:',
    ...options.filter((o) => o.value !== STAY).map((o) => `- ${o.value}: ${o.label}${o.kind === 'global' ? ' (global)' : ''}`),
    ...examples('Examples of routes chosen at this node', node.data.pathwayExamples),
    ...examples('Examples of condition decisions at this node', node.data.conditionExamples),
  ].join('\n');
  return [{ role: 'system', content: system }, ...history(transcript)];
}

export const EXTRACTION_SCHEMA_NAME = 'pathway_variables';

const JSON_TYPE: Record<string, string> = { integer: 'integer', number: 'number', boolean: 'boolean', string: 'string' };

/** Every variable nullable: "not said" is an answer, and a guess would be worse. */
export function extractionSchema(vars: ExtractVar[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, type, description] of vars) {
    properties[name] = { type: [JSON_TYPE[type] ?? 'string', 'null'], description: description ?? '' };
  }
  return { type: 'object', properties, required: vars.map((v) => v[0]), additionalProperties: false };
}

export function extractionMessages(node: PathwayNode, vars: ExtractVar[], transcript: TranscriptTurn[]): Message[] {
  const system = [
    `Extraction at node "${node.id}" (${nodeName(node)}).`,
    'Fill each variable from what the caller said in this conversation; use null for anything not said.',
    ...vars.map(([name, type, description]) => `- ${name} (${type}): ${description ?? ''}`),
  ].join('\n');
  return [{ role: 'system', content: system }, ...history(transcript)];
}

/** The dialogue of a prompted node; static `text` never reaches the model. */
export function dialogueMessages(g: PathwayGraph, node: PathwayNode, transcript: TranscriptTurn[], vars: Record<string, unknown>): Message[] {
  const globalPrompt = globalPromptOf(g, node);
  const kb = typeof node.data.kb === 'string' && node.data.kb.trim() ? node.data.kb : null;
  const system = [
    `Dialogue at node "${node.id}" (${nodeName(node)}).`,
    'You are an AI agent on a live phone call. Reply with what you say next, in one to three short spoken sentences, with no markup.',
    ...(globalPrompt ? ['', `Global instructions: ${renderTemplate(globalPrompt, vars)}`] : []),
    ...(kb ? ['', 'Knowledge base (answer only from it):', renderTemplate(kb, vars)] : []),
    ...examples('Examples of dialogue at this node', node.data.dialogueExamples),
    '',
    `Node prompt: ${renderTemplate(node.data.prompt ?? '', vars)}`,
  ].join('\n');
  return [{ role: 'system', content: system }, ...history(transcript)];
}
