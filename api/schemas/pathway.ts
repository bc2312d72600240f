import type { GraphContent } from '../../src/db/pathway-store';
import { validateGraph, type ValidateOptions } from '../../src/pathway/validate';
import { isPlainObject } from './field-checks';

/** Request bodies of the pathway endpoints. Every problem is listed; nothing is stored on any. */

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const MAX_NAME = 200;
const MAX_DESCRIPTION = 5000;

function text(body: Record<string, unknown>, key: string, max: number, required: boolean, errors: string[]): string | null | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) errors.push(`${key} is required.`);
    return v === null ? null : undefined;
  }
  if (typeof v !== 'string') errors.push(`${key} must be a string.`);
  else if (required && v.trim() === '') errors.push(`${key} must not be empty.`);
  else if (v.length > max) errors.push(`${key} must be at most ${max} characters.`);
  else return v;
  return undefined;
}

/** The seed's examples send `{}` for an empty edge or node list; that means none. */
const emptyObjectAsList = (v: unknown): unknown => (isPlainObject(v) && Object.keys(v).length === 0 ? [] : v);

export function parseCreatePathway(body: unknown): Parsed<{ name: string; description: string | null }> {
  if (!isPlainObject(body)) return { ok: false, errors: ['The request body must be a JSON object.'] };
  const errors: string[] = [];
  const name = text(body, 'name', MAX_NAME, true, errors);
  const description = text(body, 'description', MAX_DESCRIPTION, false, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { name: name!, description: description ?? null } };
}

export interface PathwayUpdate {
  name?: string;
  description?: string | null;
  /** Present when nodes or edges were sent: the whole validated graph to save as a version. */
  graph?: { nodes: GraphContent['nodes']; edges: GraphContent['edges'] };
}

/** `current` supplies the half of the graph not sent, so a nodes-only update is checked against the stored edges. */
export function parseUpdatePathway(body: unknown, current: { nodes: unknown[]; edges: unknown[] }, checks: ValidateOptions = {}): Parsed<PathwayUpdate> {
  if (!isPlainObject(body)) return { ok: false, errors: ['The request body must be a JSON object.'] };
  const errors: string[] = [];
  const name = text(body, 'name', MAX_NAME, false, errors);
  if (typeof name === 'string' && name.trim() === '') errors.push('name must not be empty.');
  const description = text(body, 'description', MAX_DESCRIPTION, false, errors);
  const value: PathwayUpdate = {};
  if (name !== undefined && name !== null) value.name = name;
  if (description !== undefined) value.description = description;
  if (body.nodes !== undefined || body.edges !== undefined) {
    const nodes = body.nodes === undefined ? current.nodes : emptyObjectAsList(body.nodes);
    const edges = body.edges === undefined ? current.edges : emptyObjectAsList(body.edges);
    const graph = validateGraph(nodes, edges, checks);
    if (!graph.ok) errors.push(...graph.errors);
    else value.graph = graph.graph;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** POST /v1/pathway/{id}/version: name, nodes and edges. */
export function parseCreateVersion(body: unknown, fallbackName: string, checks: ValidateOptions = {}): Parsed<{ name: string; nodes: GraphContent['nodes']; edges: GraphContent['edges'] }> {
  if (!isPlainObject(body)) return { ok: false, errors: ['The request body must be a JSON object.'] };
  const errors: string[] = [];
  const name = text(body, 'name', MAX_NAME, false, errors);
  const graph = validateGraph(emptyObjectAsList(body.nodes ?? []), emptyObjectAsList(body.edges ?? []), checks);
  if (!graph.ok) errors.push(...graph.errors);
  if (errors.length > 0 || !graph.ok) return { ok: false, errors };
  return { ok: true, value: { name: name || fallbackName, ...graph.graph } };
}

/** POST /v1/pathway/{id}/publish: `version_id` is a version number (the seed) or a version id. */
export function parsePublish(body: unknown): Parsed<{ versionRef: string; environment: 'production' | 'staging' }> {
  if (!isPlainObject(body)) return { ok: false, errors: ['The request body must be a JSON object.'] };
  const errors: string[] = [];
  const v = body.version_id;
  const versionRef = typeof v === 'number' && Number.isInteger(v) && v > 0 ? String(v) : typeof v === 'string' && v.trim() ? v.trim() : null;
  if (versionRef === null) errors.push('version_id is required: a version number or a version id.');
  const env = body.environment ?? 'production';
  if (env !== 'production' && env !== 'staging') errors.push('environment must be production or staging.');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { versionRef: versionRef!, environment: env as 'production' | 'staging' } };
}
