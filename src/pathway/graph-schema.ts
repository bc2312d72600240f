import { z } from 'zod';
import { AS_IS, LABEL } from '../validation/fields';
import { isPlainObject } from '../validation/json-values';
import { knownNodeTypes, nodeTypeSpec } from './node-types';
import type { PathwayEdge, PathwayNode } from './types';

/**
 * A pathway graph as users send it (Bland's format): zod schemas of one node, one edge and their
 * lists, and the rules that need the whole graph (edges between existing nodes, one start node).
 * Every problem is listed at once, so a user fixes a bad pathway in one round trip; a node's
 * problems are named by its place and id ("nodes[3] (book_table): data.url …").
 */

export const MAX_NODES = 2000;
export const MAX_EDGES = 10000;
const VAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);
/** Variable names become template names and stored keys: no dots, no `$`. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const OPS = new Set(['==', '!=', '>', '<', 'contains']);
const STRING_FIELDS = ['name', 'text', 'prompt', 'condition', 'globalPrompt', 'kb', 'globalLabel', 'url', 'method', 'transferNumber'];
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Keys the store refuses (FerretDB/MongoDB): `.` anywhere or a leading `$`; `path` is relative to the node or edge. */
function unsafeKeys(value: unknown, path: string, out: string[], depth = 0): void {
  if (depth > 20 || out.length > 20) return;
  if (Array.isArray(value)) value.forEach((v, i) => unsafeKeys(v, `${path}[${i}]`, out, depth + 1));
  else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('.') || k.startsWith('$') || k === '__proto__') out.push(`${path}: key "${k.slice(0, 40)}" may not contain "." or start with "$".`);
      unsafeKeys(v, `${path}.${k}`, out, depth + 1);
    }
  }
}

/** The rules of a node's `data`, by type; `where` names the node ("nodes[2] (ask)"). */
function nodeDataProblems(where: string, type: string, data: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const field of nodeTypeSpec(type)?.required ?? []) {
    if (!nonEmpty(data[field])) errors.push(`${where}: a ${type} node needs data.${field}.`);
  }
  if (data.isGlobal === true && !nonEmpty(data.globalLabel)) errors.push(`${where}: a global node needs data.globalLabel.`);
  for (const f of STRING_FIELDS) {
    if (data[f] !== undefined && data[f] !== null && typeof data[f] !== 'string') errors.push(`${where}: data.${f} must be a string.`);
  }
  if (data.extractVars !== undefined) {
    const ok = Array.isArray(data.extractVars) && data.extractVars.every(
      (v) => Array.isArray(v) && v.length >= 2 && typeof v[0] === 'string' && VAR_NAME.test(v[0]) && typeof v[1] === 'string' && VAR_TYPES.has(v[1]) && (v[2] === undefined || typeof v[2] === 'string'),
    );
    if (!ok) errors.push(`${where}: data.extractVars must be [[name, type, description]] with a name of letters, digits and _ and type string, integer, number or boolean.`);
  }
  if (data.responsePathways !== undefined) {
    const ok = Array.isArray(data.responsePathways) && data.responsePathways.every(
      (r) => Array.isArray(r) && r.length === 4 && nonEmpty(r[0]) && OPS.has(String(r[1])) && isPlainObject(r[3]) && nonEmpty(r[3].id),
    );
    if (!ok) errors.push(`${where}: data.responsePathways must be [[variable, op, value, {id}]] with op ==, !=, >, < or contains.`);
  }
  if (data.responseData !== undefined) {
    const ok = Array.isArray(data.responseData) && data.responseData.every((r) => isPlainObject(r) && typeof r.name === 'string' && VAR_NAME.test(r.name) && nonEmpty(r.data));
    if (!ok) errors.push(`${where}: data.responseData must be [{name, data}] with a JSONPath in data.`);
  }
  if (data.modelOptions !== undefined) {
    const m = data.modelOptions;
    const ok = isPlainObject(m) && (m.temperature === undefined || (typeof m.temperature === 'number' && m.temperature >= 0 && m.temperature <= 2));
    if (!ok) errors.push(`${where}: data.modelOptions.temperature must be a number from 0 to 2.`);
  }
  if (data.timeout !== undefined && !(typeof data.timeout === 'number' && data.timeout >= 100 && data.timeout <= 120_000)) {
    errors.push(`${where}: data.timeout must be milliseconds from 100 to 120000.`);
  }
  return errors;
}

/** A refinement, not a type: an edge with a bad id still has its other problems listed. */
const elementId = z
  .unknown()
  .refine(nonEmpty, { error: `${LABEL} must be a non-empty string.` })
  .meta({ type: 'string' });
const custom = (ctx: z.RefinementCtx, message: string) => ctx.addIssue({ code: 'custom', message });

/** One node: `{id, type, data}` (other fields, such as the editor's position, are kept). */
export const PathwayNodeSchema = z
  .looseObject(
    {
      id: elementId.describe('Unique within the pathway'),
      type: z.unknown().meta({ type: 'string', description: 'Default, Knowledge Base, Wait for Response, End Call, Transfer Call (or Transfer Node), Webhook, or a type the deployment registered' }),
      data: z.unknown().meta({
        type: 'object',
        description: 'The node\'s settings: name, text or prompt, isStart, isGlobal with globalLabel, condition, extractVars, url and method (Webhook), transferNumber (Transfer Call), responseData, responsePathways, modelOptions, timeout, …',
      }),
    },
    { error: `${LABEL} must be an object.` },
  )
  .superRefine((n, ctx) => {
    if (!nonEmpty(n.id)) return;
    const where = `${LABEL} (${n.id})`;
    if (typeof n.type !== 'string' || !nodeTypeSpec(n.type)) custom(ctx, `${where}: unknown node type ${JSON.stringify(n.type)}; known: ${knownNodeTypes().join(', ')}.`);
    if (!isPlainObject(n.data)) return custom(ctx, `${where}: data must be an object.`);
    if (typeof n.type === 'string') for (const problem of nodeDataProblems(where, n.type, n.data)) custom(ctx, problem);
    const keys: string[] = [];
    unsafeKeys(n.data, '.data', keys);
    for (const problem of keys) custom(ctx, `${LABEL}${problem}`);
  });

/** One edge: from `source` to `target`, both node ids; `label` is what the model decides on. */
export const PathwayEdgeSchema = z
  .looseObject(
    {
      id: elementId.describe('Unique within the pathway'),
      source: z.unknown().meta({ type: 'string', description: 'A node id' }),
      target: z.unknown().meta({ type: 'string', description: 'A node id' }),
      label: z.string({ error: `${LABEL} must be a string.` }).nullish().describe('When the conversation should take this edge'),
    },
    { error: `${LABEL} must be an object.` },
  )
  .superRefine((e, ctx) => {
    const keys: string[] = [];
    unsafeKeys(e, '', keys);
    for (const problem of keys) custom(ctx, `${LABEL}${problem}`);
  });

/** The seed's examples send `{}` for an empty node or edge list; that means none. */
const emptyObjectAsList = (v: unknown): unknown => (isPlainObject(v) && Object.keys(v).length === 0 ? [] : v);

export const PathwayNodesSchema = z.preprocess(
  emptyObjectAsList,
  z
    .array(PathwayNodeSchema, { error: `${LABEL} must be an array of node objects.` })
    .max(MAX_NODES, { error: `${AS_IS}A pathway may have at most ${MAX_NODES} nodes.` }),
) as unknown as z.ZodType<PathwayNode[], unknown>;

export const PathwayEdgesSchema = z.preprocess(
  emptyObjectAsList,
  z
    .array(PathwayEdgeSchema, { error: `${LABEL} must be an array of edge objects.` })
    .max(MAX_EDGES, { error: `${AS_IS}A pathway may have at most ${MAX_EDGES} edges.` }),
) as unknown as z.ZodType<PathwayEdge[], unknown>;

/**
 * The rules that need the whole graph: unique ids, edges and routes between nodes of this pathway,
 * one start node (or the caller's `startNodeId`). Elements that failed their own schema are
 * skipped or counted as far as they can be, so their problems are not repeated.
 */
export function graphProblems(nodesIn: readonly unknown[], edgesIn: readonly unknown[], startNodeId?: string | null): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  const nodes: Array<{ id: string; data: Record<string, unknown> }> = [];
  nodesIn.forEach((n, i) => {
    if (!isPlainObject(n) || !nonEmpty(n.id)) return;
    if (ids.has(n.id)) errors.push(`nodes[${i}]: duplicate node id "${n.id}".`);
    ids.add(n.id);
    if (isPlainObject(n.data)) nodes.push({ id: n.id, data: n.data });
  });
  const edgeIds = new Set<string>();
  edgesIn.forEach((e, i) => {
    const where = `edges[${i}]`;
    if (!isPlainObject(e)) return;
    if (nonEmpty(e.id)) {
      if (edgeIds.has(e.id)) errors.push(`${where}: duplicate edge id "${e.id}".`);
      edgeIds.add(e.id);
    }
    if (!nonEmpty(e.source) || !ids.has(e.source)) errors.push(`${where}: source ${JSON.stringify(e.source)} is not a node of this pathway.`);
    if (!nonEmpty(e.target) || !ids.has(e.target)) errors.push(`${where}: target ${JSON.stringify(e.target)} is not a node of this pathway.`);
  });
  for (const n of nodes) {
    for (const r of Array.isArray(n.data.responsePathways) ? n.data.responsePathways : []) {
      const target: unknown = Array.isArray(r) && isPlainObject(r[3]) ? r[3].id : undefined;
      if (typeof target === 'string' && !ids.has(target)) errors.push(`node ${n.id}: responsePathways target "${target}" is not a node of this pathway.`);
    }
    const fwd = n.data.forwardingNode;
    if (n.data.enableForwarding === true && (typeof fwd !== 'string' || !ids.has(fwd))) {
      errors.push(`node ${n.id}: forwardingNode must name a node of this pathway.`);
    }
  }
  if (startNodeId) {
    if (!ids.has(startNodeId)) errors.push(`start_node_id "${startNodeId}" is not a node of this pathway.`);
  } else {
    const starts = nodes.filter((n) => n.data.isStart === true).length;
    if (nodes.length > 0 && starts !== 1) errors.push(`A pathway needs exactly one start node (data.isStart: true); found ${starts}.`);
  }
  return errors;
}

const isList = (v: unknown) => v === undefined || v === null || Array.isArray(v);

/**
 * Adds the whole-graph rules to an object schema holding `nodes` and `edges` (an absent list is
 * none). They run even when other fields or single nodes are wrong, so every problem is listed;
 * with `both`, only when the request sent both lists (an update may send one, checked against the
 * stored other one by the caller).
 */
export function withGraphRules<T extends z.ZodType<{ nodes?: unknown; edges?: unknown }>>(schema: T, opts: { both?: boolean; startNodeId?: string | null } = {}): T {
  return schema.superRefine(
    (v, ctx) => {
      for (const message of graphProblems((v.nodes as unknown[] | null | undefined) ?? [], (v.edges as unknown[] | null | undefined) ?? [], opts.startNodeId)) {
        ctx.addIssue({ code: 'custom', message });
      }
    },
    {
      when: ({ value }) =>
        isPlainObject(value) && isList(value.nodes) && isList(value.edges) && (!opts.both || (value.nodes != null && value.edges != null)),
    },
  ) as T;
}

/** The outbound URL rule for Webhook nodes' `url` (it depends on the deployment's allow-list, so it is injected). */
export type UrlCheck = (url: string, label: string) => string | null;

/** Every Webhook node URL `checkUrl` refuses, named by its node ("nodes[3] (book): data.url …"). */
export function webhookUrlProblems(nodes: readonly unknown[], checkUrl: UrlCheck): string[] {
  const errors: string[] = [];
  nodes.forEach((n, i) => {
    if (!isPlainObject(n) || !isPlainObject(n.data) || typeof n.data.url !== 'string') return;
    const problem = checkUrl(n.data.url, `nodes[${i}] (${String(n.id)}): data.url`);
    if (problem) errors.push(problem);
  });
  return errors;
}
