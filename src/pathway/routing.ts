import { nodeTypeSpec } from './node-types';
import type { PathwayGraph, PathwayLogEntry, PathwayNode, PathwayState, ResponsePathway } from './types';
import { PathwayGraphError } from './graph-error';

/**
 * Routing as the seed states it: the node the agent is at decides (condition met? which edge,
 * by its label? a global node whose label matches?), and the node chosen speaks. A global node
 * returns to the node the agent came from, unless it forwards elsewhere. Pure functions only.
 */

export const STAY = 'stay';

export interface RouteOption {
  /** The value the model picks: `stay`, or the target node's id. */
  value: string;
  kind: 'stay' | 'edge' | 'global';
  targetId: string;
  label: string;
  edgeId: string | null;
}

export const ref = (n: PathwayNode | undefined | null) => (n ? { id: n.id, name: nodeName(n) } : null);
export const nodeName = (n: PathwayNode): string => (typeof n.data.name === 'string' && n.data.name ? n.data.name : n.id);
export const nodeById = (g: PathwayGraph, id: string | null | undefined): PathwayNode | undefined =>
  id ? g.nodes.find((n) => n.id === id) : undefined;
export const isGlobal = (n: PathwayNode): boolean => n.data.isGlobal === true && typeof n.data.globalLabel === 'string';

export function initialState(variables: Record<string, unknown> = {}): PathwayState {
  return { currentNodeId: null, returnNodeId: null, turn: 0, variables, logs: [] };
}

/**
 * The node whose edges decide this turn. After a global node has spoken, the agent is back at the
 * node it came from (or at the forwarding node), so that node judges the caller's answer.
 */
export function decidingNode(g: PathwayGraph, state: PathwayState): { node: PathwayNode; log: PathwayLogEntry | null } {
  const current = nodeById(g, state.currentNodeId);
  if (!current) throw new PathwayGraphError(`Pathway node "${state.currentNodeId}" no longer exists`);
  if (!isGlobal(current)) return { node: current, log: null };
  const forward = current.data.enableForwarding === true ? nodeById(g, current.data.forwardingNode) : undefined;
  const back = forward ?? nodeById(g, state.returnNodeId);
  if (!back || back.id === current.id) return { node: current, log: null };
  return {
    node: back,
    log: {
      turn: state.turn,
      kind: 'return',
      from: ref(current),
      to: ref(back),
      why: forward ? `Global node "${nodeName(current)}" forwards to "${nodeName(back)}".` : `Global node "${nodeName(current)}" returns to "${nodeName(back)}", where the agent came from.`,
    },
  };
}

/** Stay first (the model's answer when nothing fits or the condition is unmet), then edges, then global nodes. */
export function routeOptions(g: PathwayGraph, node: PathwayNode): RouteOption[] {
  const options: RouteOption[] = [{ value: STAY, kind: 'stay', targetId: node.id, label: '', edgeId: null }];
  const seen = new Set<string>([STAY]);
  for (const e of g.edges) {
    if (e.source !== node.id || seen.has(e.target)) continue;
    seen.add(e.target);
    options.push({ value: e.target, kind: 'edge', targetId: e.target, label: typeof e.label === 'string' ? e.label : '', edgeId: e.id });
  }
  for (const n of g.nodes) {
    if (!isGlobal(n) || n.id === node.id || seen.has(n.id)) continue;
    seen.add(n.id);
    options.push({ value: n.id, kind: 'global', targetId: n.id, label: n.data.globalLabel ?? '', edgeId: null });
  }
  return options;
}

/** Moves the agent to the option chosen at `from` and logs why; the target then speaks. */
export function applyRoute(
  g: PathwayGraph,
  state: PathwayState,
  from: PathwayNode,
  option: RouteOption,
  why: string,
): { state: PathwayState; target: PathwayNode } {
  const target = nodeById(g, option.targetId) ?? from;
  const hasCondition = typeof from.data.condition === 'string' && from.data.condition.trim() !== '';
  const entry: PathwayLogEntry = {
    turn: state.turn,
    kind: option.kind,
    from: ref(from),
    to: ref(target),
    edge: option.edgeId ? { id: option.edgeId, label: option.label } : null,
    why,
    condition_met: hasCondition ? option.kind !== 'stay' : null,
  };
  // Entering a global node remembers where to come back to; leaving by an ordinary edge forgets it.
  const returnNodeId = option.kind === 'global' ? from.id : option.kind === 'stay' ? state.returnNodeId : null;
  return { state: { ...state, currentNodeId: target.id, returnNodeId, logs: [...state.logs, entry] }, target };
}

export function arriveAtStart(state: PathwayState, start: PathwayNode, why: string): PathwayState {
  const entry: PathwayLogEntry = { turn: state.turn, kind: 'start', from: null, to: ref(start), why };
  return { ...state, currentNodeId: start.id, logs: [...state.logs, entry] };
}

function compare(actual: unknown, op: ResponsePathway[1], expected: string): boolean {
  const a = actual === undefined || actual === null ? '' : typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  const na = Number(a);
  const ne = Number(expected);
  const numeric = a.trim() !== '' && expected.trim() !== '' && Number.isFinite(na) && Number.isFinite(ne);
  switch (op) {
    case '==': return numeric ? na === ne : a.toLowerCase() === expected.toLowerCase();
    case '!=': return numeric ? na !== ne : a.toLowerCase() !== expected.toLowerCase();
    case '>': return numeric && na > ne;
    case '<': return numeric && na < ne;
    case 'contains': return a.toLowerCase().includes(expected.toLowerCase());
    default: return false;
  }
}

/** The first `responsePathways` rule that holds for the variables after a webhook, if any. */
export function matchResponsePathway(node: PathwayNode, vars: Record<string, unknown>): { rule: ResponsePathway; targetId: string } | null {
  for (const rule of node.data.responsePathways ?? []) {
    const [name, op, value, target] = rule;
    if (compare(vars[name], op, String(value))) return { rule, targetId: target.id };
  }
  return null;
}

/** Extracted values are coerced to their declared type; what cannot be coerced is left out. */
export function coerceVariable(type: string, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  switch (type) {
    case 'integer': {
      const n = typeof value === 'number' ? value : Number(/-?\d+(?:\.\d+)?/.exec(String(value))?.[0] ?? NaN);
      return Number.isFinite(n) ? Math.round(n) : undefined;
    }
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return /^(true|yes)$/i.test(String(value)) ? true : /^(false|no)$/i.test(String(value)) ? false : undefined;
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** What the node does after speaking, by its type. */
export function nodeEffect(node: PathwayNode): 'continue' | 'end' | 'transfer' | 'webhook' {
  return nodeTypeSpec(node.type)?.effect ?? 'continue';
}
