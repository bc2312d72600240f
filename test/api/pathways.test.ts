import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startStack, type Stack } from '../helpers/stack';

const example = JSON.parse(readFileSync(join(__dirname, '../../examples/restaurant-reservation.json'), 'utf8')) as {
  name: string; nodes: unknown[]; edges: unknown[];
};

/** Pathways, versions and folders against real FerretDB (no worker needed). */
describe('API: pathways, versions and folders', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The example's booking service, as an operator would allow it.
    stack = await startStack({ worker: false, allow: ['http://localhost:8080'] });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const as = (key: string) => ({
    get: (p: string) => api().get(p).set('authorization', key),
    post: (p: string, body?: unknown) => api().post(p).set('authorization', key).send(body as object),
    patch: (p: string, body?: unknown) => api().patch(p).set('authorization', key).send(body as object),
    del: (p: string) => api().delete(p).set('authorization', key),
  });
  const me = () => as(stack.org.apiKey);

  async function createPathway(name = 'Restaurant'): Promise<string> {
    const res = await me().post('/v1/pathway/create', { name, description: 'd' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', pathway_id: expect.any(String) });
    return res.body.pathway_id;
  }

  it('creates, updates (saving a version), reads, lists and deletes a pathway', async () => {
    const id = await createPathway();
    const upd = await me().post(`/v1/pathway/${id}`, { name: 'Bella Vista', nodes: example.nodes, edges: example.edges });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ status: 'success', message: 'Pathway updated successfully', version_number: 1 });
    expect(upd.body.pathway_data).toMatchObject({ pathway_id: id, name: 'Bella Vista', description: 'd' });
    expect(upd.body.pathway_data.nodes).toHaveLength(example.nodes.length);

    const one = await me().get(`/v1/pathway/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'Bella Vista', description: 'd', edges: example.edges });

    const list = await me().get('/v1/pathway');
    expect(list.body.map((p: { pathway_id: string }) => p.pathway_id)).toContain(id);

    const del = await me().del(`/v1/pathway/${id}`);
    expect(del.body).toMatchObject({ status: 'success', message: 'Pathway deleted successfully' });
    expect((await me().get(`/v1/pathway/${id}`)).status).toBe(404);
    expect((await me().del(`/v1/pathway/${id}`)).status).toBe(404);
  });

  it('checks Webhook node URLs when saved, as tool URLs are', async () => {
    const id = await createPathway();
    const urls = ['file:///etc/passwd', 'gopher://example.com/x', 'http://127.0.0.1:8233/api/v1/namespaces', 'https://169.254.169.254/latest', 'http://api.example.com/x'];
    const nodes = [
      { id: 'start', type: 'Default', data: { name: 'Start', text: 'Hi', isStart: true } },
      ...urls.map((url, i) => ({ id: `w${i}`, type: 'Webhook', data: { name: `W${i}`, text: 'One moment', url, method: 'POST' } })),
    ];
    for (const save of [() => me().post(`/v1/pathway/${id}`, { nodes, edges: [] }), () => me().post(`/v1/pathway/${id}/version`, { nodes, edges: [] })]) {
      const res = await save();
      expect(res.status).toBe(400);
      urls.forEach((_u, i) => expect(res.body.errors.join('\n')).toContain(`nodes[${i + 1}] (w${i}): data.url`));
    }
    expect((await me().get(`/v1/pathway/${id}/versions`)).body).toEqual([]);
  });

  it('refuses a bad graph with every problem listed, and saves nothing', async () => {
    const id = await createPathway();
    const res = await me().post(`/v1/pathway/${id}`, {
      name: 'changed',
      nodes: [{ id: 'a', type: 'Teleport', data: {} }, { id: 'b', type: 'Default', data: { isGlobal: true } }],
      edges: [{ id: 'e', source: 'a', target: 'zzz' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('error');
    expect(res.body.errors.join('\n')).toMatch(/unknown node type "Teleport"/);
    expect(res.body.errors.join('\n')).toMatch(/globalLabel/);
    expect(res.body.errors.join('\n')).toMatch(/target "zzz"/);
    expect(res.body.errors.join('\n')).toMatch(/exactly one start node/);
    const after = await me().get(`/v1/pathway/${id}`);
    expect(after.body).toMatchObject({ name: 'Restaurant', nodes: [], edges: [] });
    expect((await me().get(`/v1/pathway/${id}/versions`)).body).toEqual([]);
  });

  it('refuses malformed bodies and wrong types', async () => {
    expect((await me().post('/v1/pathway/create', {})).status).toBe(400);
    expect((await me().post('/v1/pathway/create', { name: 5 })).body.errors).toEqual(['name must be a string.']);
    const bad = await api().post('/v1/pathway/create').set('authorization', stack.org.apiKey).set('content-type', 'application/json').send('{"name":');
    expect(bad.status).toBe(400);
    const id = await createPathway();
    expect((await me().post(`/v1/pathway/${id}`, { nodes: 'x' })).body.errors).toEqual(['nodes must be an array of node objects.']);
    expect((await me().post(`/v1/pathway/${id}`, { description: ['x'] })).status).toBe(400);
    expect((await me().post('/v1/pathway/no-such-id', { name: 'x' })).status).toBe(404);
    // Field, node and whole-graph problems in one answer.
    const all = await me().post(`/v1/pathway/${id}`, { name: 7, nodes: [{ id: 'a', type: 'Teleport', data: {} }], edges: [] });
    expect(all.body.errors).toEqual(['name must be a string.', expect.stringMatching(/^nodes\[0\] \(a\): unknown node type "Teleport"/), expect.stringMatching(/exactly one start node/)]);
    // Only nodes sent: checked against the stored edges.
    await me().post(`/v1/pathway/${id}`, { nodes: example.nodes, edges: example.edges }).expect(200);
    const half = await me().post(`/v1/pathway/${id}`, { nodes: [example.nodes[0]] });
    expect(half.status).toBe(400);
    expect(half.body.errors.join('\n')).toMatch(/is not a node of this pathway/);
    expect((await me().post(`/v1/pathway/${id}/publish`, {})).body.errors).toEqual(['version_id is required: a version number or a version id.']);
  });

  it("hides another organisation's pathways, versions and folders (404)", async () => {
    const id = await createPathway();
    await me().post(`/v1/pathway/${id}`, { nodes: example.nodes, edges: example.edges });
    const folder = (await me().post('/v1/pathway/folders', { name: 'mine' })).body.folder_id;
    const other = as((await stack.newOrg()).apiKey);
    expect((await other.get(`/v1/pathway/${id}`)).status).toBe(404);
    expect((await other.post(`/v1/pathway/${id}`, { name: 'stolen' })).status).toBe(404);
    expect((await other.del(`/v1/pathway/${id}`)).status).toBe(404);
    expect((await other.get(`/v1/pathway/${id}/versions`)).status).toBe(404);
    expect((await other.get(`/v1/pathway/${id}/version/1`)).status).toBe(404);
    expect((await other.post(`/v1/pathway/${id}/publish`, { version_id: 1 })).status).toBe(404);
    expect((await other.get(`/v1/pathway/folders/${folder}/pathways`)).status).toBe(404);
    expect((await other.del(`/v1/pathway/folders/${folder}`)).status).toBe(404);
    expect((await other.post('/v1/pathway/folders/move', { pathway_id: id, folder_id: null })).status).toBe(404);
    expect((await other.get('/v1/pathway')).body).toEqual([]);
    expect((await me().get(`/v1/pathway/${id}`)).body.name).toBe('Restaurant');
  });

  it('versions: list, read (0 = live), create, publish and archive', async () => {
    const id = await createPathway();
    await me().post(`/v1/pathway/${id}`, { nodes: example.nodes, edges: example.edges });
    const created = await me().post(`/v1/pathway/${id}/version`, { name: 'Short flow', nodes: [example.nodes[0]], edges: {} });
    expect(created.body).toMatchObject({ status: 'success', message: 'Version created successfully', data: { name: 'Short flow', version_number: 2, id: expect.stringMatching(/^pv_/) } });

    const versions = await me().get(`/v1/pathway/${id}/versions`);
    expect(versions.body).toEqual([
      expect.objectContaining({ version_number: 1, name: 'Restaurant', is_latest: false }),
      expect.objectContaining({ version_number: 2, name: 'Short flow', is_latest: true, id: created.body.data.id }),
    ]);
    const v2 = await me().get(`/v1/pathway/${id}/version/2`);
    expect(v2.body).toMatchObject({ name: 'Short flow', version_number: 2, is_latest: true, edges: [] });
    expect((await me().get(`/v1/pathway/${id}/version/${created.body.data.id}`)).body.version_number).toBe(2);
    const live = await me().get(`/v1/pathway/${id}/version/0`);
    expect(live.body.nodes).toHaveLength(example.nodes.length);
    expect((await me().get(`/v1/pathway/${id}/version/99`)).status).toBe(404);

    const pub = await me().post(`/v1/pathway/${id}/publish`, { version_id: 1, environment: 'production' });
    expect(pub.body).toMatchObject({ message: 'Pathway published successfully', version_number: 1 });
    expect((await me().post(`/v1/pathway/${id}/publish`, { version_id: 2, environment: 'staging' })).status).toBe(200);
    expect((await me().post(`/v1/pathway/${id}/publish`, { version_id: 1, environment: 'dev' })).status).toBe(400);
    expect((await me().post(`/v1/pathway/${id}/publish`, {})).status).toBe(400);
    expect((await me().post(`/v1/pathway/${id}/publish`, { version_id: 42 })).status).toBe(404);
    const listed = (await me().get(`/v1/pathway/${id}/versions`)).body;
    expect(listed[0]).toMatchObject({ is_production: true });
    expect(listed[1]).toMatchObject({ is_staging: true });

    // A published version cannot be archived; an unpublished one can, and is then gone.
    expect((await me().del(`/v1/pathway/${id}/version/1`)).status).toBe(400);
    await me().post(`/v1/pathway/${id}/version`, { name: 'v3', nodes: [example.nodes[0]], edges: [] });
    expect((await me().del(`/v1/pathway/${id}/version/3`)).body).toEqual({ status: 'success', message: 'Version deleted successfully' });
    expect((await me().get(`/v1/pathway/${id}/version/3`)).status).toBe(404);
    expect((await me().get(`/v1/pathway/${id}/versions`)).body).toHaveLength(2);

    const badVersion = await me().post(`/v1/pathway/${id}/version`, { nodes: [{ id: 'x', type: 'Nope', data: {} }] });
    expect(badVersion.status).toBe(400);
    expect((await me().get(`/v1/pathway/${id}/versions`)).body).toHaveLength(2);
  });

  it('folders: create (nested), rename, list, move pathways, and delete only when empty', async () => {
    const root = await me().post('/v1/pathway/folders', { name: 'Restaurants' });
    expect(root.body).toEqual({ folder_id: expect.stringMatching(/^folder_/), name: 'Restaurants', parent_folder_id: null });
    const child = await me().post('/v1/pathway/folders', { name: 'SF', parent_folder_id: root.body.folder_id });
    expect(child.body.parent_folder_id).toBe(root.body.folder_id);
    expect((await me().post('/v1/pathway/folders', { name: 'x', parent_folder_id: 'folder_nope' })).status).toBe(404);
    expect((await me().post('/v1/pathway/folders', { name: '' })).status).toBe(400);

    const renamed = await me().patch(`/v1/pathway/folders/${child.body.folder_id}`, { name: 'San Francisco' });
    expect(renamed.body).toEqual({ folder_id: child.body.folder_id, name: 'San Francisco', parent_folder_id: root.body.folder_id });
    expect((await me().patch('/v1/pathway/folders/folder_nope', { name: 'x' })).status).toBe(404);
    const folders = (await me().get('/v1/pathway/folders')).body.folders;
    expect(folders).toEqual(expect.arrayContaining([{ id: child.body.folder_id, name: 'San Francisco', parent_folder_id: root.body.folder_id }]));

    const id = await createPathway('In a folder');
    const moved = await me().post('/v1/pathway/folders/move', { pathway_id: id, folder_id: child.body.folder_id });
    expect(moved.body).toEqual({ pathway_id: id, old_folder_id: null, new_folder_id: child.body.folder_id });
    const inside = await me().get(`/v1/pathway/folders/${child.body.folder_id}/pathways`);
    expect(inside.body.pathways).toEqual([{ id, name: 'In a folder', description: 'd', created_at: expect.any(String) }]);

    expect((await me().del(`/v1/pathway/folders/${child.body.folder_id}`)).status).toBe(409);
    expect((await me().del(`/v1/pathway/folders/${root.body.folder_id}`)).status).toBe(409);
    const toRoot = await me().post('/v1/pathway/folders/move', { pathway_id: id, folder_id: null });
    expect(toRoot.body).toEqual({ pathway_id: id, old_folder_id: child.body.folder_id, new_folder_id: null });
    expect((await me().del(`/v1/pathway/folders/${child.body.folder_id}`)).body).toEqual({ folder_id: child.body.folder_id });
    expect((await me().del(`/v1/pathway/folders/${root.body.folder_id}`)).status).toBe(200);
    expect((await me().post('/v1/pathway/folders/move', { pathway_id: id, folder_id: 'folder_gone' })).status).toBe(404);
    expect((await me().post('/v1/pathway/folders/move', { folder_id: null })).status).toBe(400);
  });
});
