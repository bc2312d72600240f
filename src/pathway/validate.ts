import { knownNodeTypes, nodeTypeSpec } from './node-types';
import type { PathwayEdge, PathwayGraph, PathwayNode } from './types';

/**
 * Checks a pathway graph before it is saved and lists every problem at once, so a user fixes
 * a bad pathway in one round trip. Nothing here throws on malformed input.
 */

const MAX_NODES = 2000;
const MAX_EDGES = 10000;
const VAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);
/** Variable names become template names and stored keys: no dots, no `$`. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const OPS = new Set(['==', '!=', '>', '<', 'contains']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

export type GraphValidation = { ok: true; graph: PathwayGraph } | { ok: false; errors: string[] };

export interface ValidateOptions {
  /** A start node chosen by the caller replaces the `isStart` requirement. */
  startNodeId?: string | null;
  /**
   * The outbound URL rule (scheme, SSRF guard, allow-list) for Webhook nodes' `url`, as for tools;
   * injected so that the engine stays pure. Returns the problem, or null.
   */
  checkUrl?: (url: string, label: string) => string | null;
}

/** Keys the store refuses (FerretDB/MongoDB): `.` anywhere or a leading `$`. */
function unsafeKeys(value: unknown, path: string, out: string[], depth = 0): void {
  if (depth > 20 || out.length > 20) return;
  if (Array.isArray(value)) value.forEach((v, i) => unsafeKeys(v, `${path}[${i}]`, out, depth + 1));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('.') || k.startsWith('$') || k === '__proto__') out.push(`${path}: key "${k.slice(0, 40)}" may not contain "." or start with "$".`);
      unsafeKeys(v, `${path}.${k}`, out, depth + 1);
    }
  }
}

function checkNodeData(where: string, type: string, data: Record<string, unknown>, errors: string[], opts: ValidateOptions): void {
  const spec = nodeTypeSpec(type);
  for (const field of spec?.required ?? []) {
    if (!nonEmpty(data[field])) errors.push(`${where}: a ${type} node needs data.${field}.`);
  }
  if (data.isGlobal === true && !nonEmpty(data.globalLabel)) errors.push(`${where}: a global node needs data.globalLabel.`);
  for (const f of ['name', 'text', 'prompt', 'condition', 'globalPrompt', 'kb', 'globalLabel', 'url', 'method', 'transferNumber']) {
    if (data[f] !== undefined && data[f] !== null && typeof data[f] !== 'string') errors.push(`${where}: data.${f} must be a string.`);
  }
  if (typeof data.url === 'string' && opts.checkUrl) {
    const problem = opts.checkUrl(data.url, `${where}: data.url`);
    if (problem) errors.push(problem);
  }
  if (data.extractVars !== undefined) {
    const ok = Array.isArray(data.extractVars) && data.extractVars.every(
      (v) => Array.isArray(v) && v.length >= 2 && typeof v[0] === 'string' && VAR_NAME.test(v[0]) && typeof v[1] === 'string' && VAR_TYPES.has(v[1]) && (v[2] === undefined || typeof v[2] === 'string'),
    );
    if (!ok) errors.push(`${where}: data.extractVars must be [[name, type, description]] with a name of letters, digits and _ and type string, integer, number or boolean.`);
  }
  if (data.responsePathways !== undefined) {
    const ok = Array.isArray(data.responsePathways) && data.responsePathways.every(
      (r) => Array.isArray(r) && r.length === 4 && nonEmpty(r[0]) && OPS.has(String(r[1])) && isObject(r[3]) && nonEmpty(r[3].id),
    );
    if (!ok) errors.push(`${where}: data.responsePathways must be [[variable, op, value, {id}]] with op ==, !=, >, < or contains.`);
  }
  if (data.responseData !== undefined) {
    const ok = Array.isArray(data.responseData) && data.responseData.every((r) => isObject(r) && typeof r.name === 'string' && VAR_NAME.test(r.name) && nonEmpty(r.data));
    if (!ok) errors.push(`${where}: data.responseData must be [{name, data}] with a JSONPath in data.`);
  }
  if (data.modelOptions !== undefined) {
    const m = data.modelOptions;
    const ok = isObject(m) && (m.temperature === undefined || (typeof m.temperature === 'number' && m.temperature >= 0 && m.temperature <= 2));
    if (!ok) errors.push(`${where}: data.modelOptions.temperature must be a number from 0 to 2.`);
  }
  if (data.timeout !== undefined && !(typeof data.timeout === 'number' && data.timeout >= 100 && data.timeout <= 120_000)) {
    errors.push(`${where}: data.timeout must be milliseconds from 100 to 120000.`);
  }
}

export function validateGraph(nodesIn: unknown, edgesIn: unknown, opts: ValidateOptions = {}): GraphValidation {
  const errors: string[] = [];
  if (!Array.isArray(nodesIn)) return { ok: false, errors: ['nodes must be an array of node objects.'] };
  const edgesList = edgesIn === undefined || edgesIn === null ? [] : edgesIn;
  if (!Array.isArray(edgesList)) return { ok: false, errors: ['edges must be an array of edge objects.'] };
  if (nodesIn.length > MAX_NODES) errors.push(`A pathway may have at most ${MAX_NODES} nodes.`);
  if (edgesList.length > MAX_EDGES) errors.push(`A pathway may have at most ${MAX_EDGES} edges.`);

  const nodes: PathwayNode[] = [];
  const ids = new Set<string>();
  nodesIn.forEach((n: unknown, i) => {
    const where = `nodes[${i}]`;
    if (!isObject(n)) return void errors.push(`${where} must be an object.`);
    if (!nonEmpty(n.id)) return void errors.push(`${where}.id must be a non-empty string.`);
    if (ids.has(n.id)) errors.push(`${where}: duplicate node id "${n.id}".`);
    ids.add(n.id);
    if (typeof n.type !== 'string' || !nodeTypeSpec(n.type)) {
      errors.push(`${where} (${n.id}): unknown node type ${JSON.stringify(n.type)}; known: ${knownNodeTypes().join(', ')}.`);
    }
    if (!isObject(n.data)) return void errors.push(`${where} (${n.id}): data must be an object.`);
    if (typeof n.type === 'string') checkNodeData(`${where} (${n.id})`, n.type, n.data, errors, opts);
    unsafeKeys(n.data, `${where}.data`, errors);
    nodes.push(n as unknown as PathwayNode);
  });

  const edges: PathwayEdge[] = [];
  const edgeIds = new Set<string>();
  edgesList.forEach((e: unknown, i) => {
    const where = `edges[${i}]`;
    if (!isObject(e)) return void errors.push(`${where} must be an object.`);
    if (!nonEmpty(e.id)) errors.push(`${where}.id must be a non-empty string.`);
    else if (edgeIds.has(e.id)) errors.push(`${where}: duplicate edge id "${e.id}".`);
    else edgeIds.add(e.id);
    if (!nonEmpty(e.source) || !ids.has(e.source)) errors.push(`${where}: source ${JSON.stringify(e.source)} is not a node of this pathway.`);
    if (!nonEmpty(e.target) || !ids.has(e.target)) errors.push(`${where}: target ${JSON.stringify(e.target)} is not a node of this pathway.`);
    if (e.label !== undefined && e.label !== null && typeof e.label !== 'string') errors.push(`${where}.label must be a string.`);
    unsafeKeys(e, where, errors);
    edges.push(e as unknown as PathwayEdge);
  });

  for (const n of nodes) {
    for (const r of Array.isArray(n.data?.responsePathways) ? n.data.responsePathways : []) {
      const target = Array.isArray(r) && isObject(r[3]) ? r[3].id : undefined;
      if (typeof target === 'string' && !ids.has(target)) errors.push(`node ${n.id}: responsePathways target "${target}" is not a node of this pathway.`);
    }
    const fwd = n.data?.forwardingNode;
    if (n.data?.enableForwarding === true && (typeof fwd !== 'string' || !ids.has(fwd))) {
      errors.push(`node ${n.id}: forwardingNode must name a node of this pathway.`);
    }
  }

  const starts = nodes.filter((n) => isObject(n.data) && n.data.isStart === true);
  if (opts.startNodeId) {
    if (!ids.has(opts.startNodeId)) errors.push(`start_node_id "${opts.startNodeId}" is not a node of this pathway.`);
  } else if (nodes.length > 0 && starts.length !== 1) {
    errors.push(`A pathway needs exactly one start node (data.isStart: true); found ${starts.length}.`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, graph: { nodes, edges } };
}

/** The start node: `start_node_id` if given, else the node marked `isStart`. */
export function startNode(graph: PathwayGraph, startNodeId?: string | null): PathwayNode | undefined {
  if (startNodeId) return graph.nodes.find((n) => n.id === startNodeId);
  return graph.nodes.find((n) => n.data.isStart === true);
}
