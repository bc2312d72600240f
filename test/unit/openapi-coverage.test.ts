import type { Express } from 'express';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { openApiDocument } from '../../api/openapi';
import { MAX_BATCH_LIST_LIMIT } from '../../api/routes/batches';
import { ANALYZE_LIMITS } from '../../api/routes/call-analysis';

/**
 * /openapi.json against what the app serves: the routes registered on createApp's router (walked,
 * not listed by hand) must be exactly the document's paths and methods, both ways.
 */

/** Stands in for every dependency: building the app registers its routes and touches nothing. */
const stub: unknown = new Proxy(function stub() {}, { get: (_t, key) => (key === 'then' ? undefined : stub), apply: () => stub });

function buildApp(): Express {
  const deps = {
    db: stub, temporal: stub, telephony: stub, logger: stub, webhookSecrets: stub, callDefaults: stub, modes: stub,
    taskQueue: 'q', publicBaseUrl: 'http://127.0.0.1:1', bodyLimitBytes: 1024, adminApiKey: 'admin',
  };
  return createApp(deps as unknown as ApiDeps);
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  slash?: boolean;
  rawPath?: unknown;
}

/** `/v1/pathway/:id/version/:versionId` and `/v1/pathway/{pathway_id}/version/{version_id}` → `/v1/pathway/{}/version/{}`. */
const shape = (path: string) => path.replace(/:[A-Za-z_]\w*|\{[^}]+\}/g, '{}');

/** `METHOD /shape` for every route of the router, nested routers included. */
function servedRoutes(stack: Layer[]): Set<string> {
  const out = new Set<string>();
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods);
      if (methods.includes('_all')) throw new Error(`${String(layer.route.path)} is registered for every method; list its methods in this test`);
      for (const path of ([] as string[]).concat(layer.route.path)) {
        if (!/^[\w/:.-]+$/.test(path)) throw new Error(`route path ${path} uses syntax this test does not read`);
        for (const m of methods) out.add(`${m.toUpperCase()} ${shape(path)}`);
      }
    } else if (layer.handle?.stack) {
      // Every router is mounted at the root today; one under a prefix would need the prefix added here.
      if (!layer.slash) throw new Error(`a router is mounted at ${String(layer.rawPath)}; add its prefix in this test`);
      for (const r of servedRoutes(layer.handle.stack)) out.add(r);
    }
  }
  return out;
}

type Operation = { parameters?: Array<{ name: string; in: string; schema?: { enum?: string[] } }>; security?: unknown[]; responses?: Record<string, unknown>; requestBody?: unknown };
type Paths = Record<string, Record<string, Operation>>;

/** `METHOD /shape` for every operation; a path parameter with an enum (the carrier hooks) stands for each of its values. */
function documentedRoutes(paths: Paths): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      let concrete = [path];
      for (const p of op.parameters ?? []) {
        if (p.in !== 'path' || !p.schema?.enum) continue;
        concrete = concrete.flatMap((c) => p.schema!.enum!.map((v) => c.replace(`{${p.name}}`, v)));
      }
      for (const c of concrete) out.add(`${method.toUpperCase()} ${shape(c)}`);
    }
  }
  return out;
}

describe('/openapi.json covers what the app serves', () => {
  const app = buildApp();
  const doc = openApiDocument('http://127.0.0.1:1') as unknown as { paths: Paths };
  const served = servedRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack);
  const documented = documentedRoutes(doc.paths);

  it('walks a plausible number of routes', () => {
    expect(served.size).toBeGreaterThan(50);
    expect(served).toContain('POST /v1/calls/{}/analyze');
    expect(served).toContain('GET /openapi.json');
  });

  it('documents every served route', () => {
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
  });

  it('serves every documented route', () => {
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

  it('marks every /v1 operation but the carrier webhooks as needing a key', () => {
    const open = operations.filter(({ path, op }) => path.startsWith('/v1/') && !path.startsWith('/v1/telephony/') && !op.security?.length);
    expect(open.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  it('gives every operation that needs a key a 401 response', () => {
    // The carrier webhooks are signed, not keyed: a bad signature is their documented 403.
    const secured = operations.filter(({ op }) => (op.security as Array<Record<string, unknown>> | undefined)?.some((s) => 'apiKey' in s || 'adminKey' in s));
    expect(secured.length).toBeGreaterThan(30);
    expect(secured.filter(({ op }) => !op.responses?.['401']).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  // The fuzz run found POST /v1/admin/orgs/{org_id}/keys without its path parameter, when the document was written by hand.
  it('declares every path parameter of every operation, and no other', () => {
    const wrong = operations.flatMap(({ path, method, op }) => {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      return JSON.stringify(inPath) === JSON.stringify(declared) ? [] : [`${method} ${path}: declares ${declared.join(', ') || 'none'}`];
    });
    expect(wrong).toEqual([]);
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations.map(({ op }) => (op as { operationId?: string }).operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("describes POST /v1/calls/{call_id}/analyze's body with the server's limits", () => {
    const body = doc.paths['/v1/calls/{call_id}/analyze']!.post!.requestBody as {
      required: boolean;
      content: { 'application/json': { schema: { required: string[]; properties: Record<string, Record<string, unknown>> } } };
    };
    expect(body.required).toBe(true);
    const schema = body.content['application/json'].schema;
    expect(schema.required).toEqual(['goal', 'questions']);
    expect(schema.properties.goal).toMatchObject({ type: 'string', maxLength: ANALYZE_LIMITS.goal });
    expect(schema.properties.questions).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: ANALYZE_LIMITS.questions,
      items: { type: 'array', minItems: 1, maxItems: 2, prefixItems: [{ maxLength: ANALYZE_LIMITS.question }, { maxLength: ANALYZE_LIMITS.type }] },
    });
  });

  it("documents GET /v1/batches's limit as the server enforces it", () => {
    const limit = doc.paths['/v1/batches']!.get!.parameters!.find((p) => p.name === 'limit') as unknown as { schema: Record<string, unknown> };
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 0, maximum: MAX_BATCH_LIST_LIMIT, default: MAX_BATCH_LIST_LIMIT });
    expect(MAX_BATCH_LIST_LIMIT).toBe(1000);
  });
});
