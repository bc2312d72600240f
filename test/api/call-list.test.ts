import request from 'supertest';
import { createCallCounter, RECOUNT_AFTER_MS } from '../../src/calls/call-list';
import { createPageAnchors, newestPage } from '../../src/db/newest-page';
import type { CallDoc } from '../../src/db/types';
import { startStack, uid, type Stack } from '../helpers/stack';

/**
 * GET /v1/calls' cheaper reads (src/calls/call-list.ts) give exactly what the plain queries give:
 * the newest page looked for in recent windows first, and an organisation's count carried forward.
 */
describe('API: listing calls', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const call = (orgId: string, createdAt: number, extra: Partial<CallDoc> = {}): CallDoc => {
    const id = `list-${uid()}`;
    return {
      _id: id, org_id: orgId, call_id: id, c_id: id, to: '+14155550100', from: '+14155550199', batch_id: null, campaign_id: null,
      inbound: false, request_data: {}, variables: {}, metadata: {}, queue_status: 'complete', status: 'completed', completed: true,
      created_at: new Date(createdAt), ...extra,
    } as CallDoc;
  };
  const insertAt = (orgId: string, times: number[], extra: Partial<CallDoc> = {}) =>
    stack.db.collections.calls.insertMany(times.map((t) => call(orgId, t, extra)));
  const plainPage = (orgId: string, skip: number, limit: number, filter: Record<string, unknown> = {}) =>
    stack.db.collections.calls.find({ org_id: orgId, ...filter }).sort({ created_at: -1 }).skip(skip).limit(limit).toArray();
  const ids = (docs: CallDoc[]) => docs.map((d) => d._id);
  const newest = (filter: Record<string, unknown>, skip: number, limit: number, now: number) =>
    newestPage(stack.db.collections.calls, { filter: filter as never, skip, limit, now });

  it('finds the same newest page as the plain query, whether it lies within the last minute, hour, day or before', async () => {
    const orgId = `org-${uid()}`;
    const now = Date.now();
    // 5 in the last minute, 10 in the last hour, 10 in the last day, 10 older: each 1 s apart within its span.
    const times = [
      ...Array.from({ length: 5 }, (_, i) => now - 1_000 * (i + 1)),
      ...Array.from({ length: 10 }, (_, i) => now - 120_000 - 1_000 * i),
      ...Array.from({ length: 10 }, (_, i) => now - 7_200_000 - 1_000 * i),
      ...Array.from({ length: 10 }, (_, i) => now - 3 * 86_400_000 - 1_000 * i),
    ];
    await insertAt(orgId, times);
    for (const [skip, limit] of [[0, 3], [0, 5], [2, 5], [0, 12], [10, 10], [0, 35], [30, 10], [40, 5], [0, 1000]] as const) {
      expect(ids(await newest({ org_id: orgId }, skip, limit, now))).toEqual(ids(await plainPage(orgId, skip, limit)));
    }
    // With another filter too.
    await insertAt(orgId, [now - 2_000, now - 200_000], { completed: false });
    const open = { org_id: orgId, completed: false };
    expect(ids(await newest(open, 0, 2, now))).toEqual(ids(await plainPage(orgId, 0, 2, { completed: false })));
  });

  it('starts from where the same page began last time, and still gives the plain page when calls came or went since', async () => {
    const orgId = `org-${uid()}`;
    const now = Date.now();
    const cache = createPageAnchors();
    const anchored = (skip: number, limit: number, at = Date.now()) =>
      newestPage(stack.db.collections.calls, { filter: { org_id: orgId }, skip, limit, now: at }, { cache, key: `${orgId}|${skip}|${limit}` });
    // Older than every window but the whole range: only the anchor finds the page without the full search.
    await insertAt(orgId, Array.from({ length: 12 }, (_, i) => now - 400 * 86_400_000 - 1_000 * i));
    for (const [skip, limit] of [[0, 5], [3, 4], [0, 20]] as const) {
      expect(ids(await anchored(skip, limit))).toEqual(ids(await plainPage(orgId, skip, limit)));
      expect(ids(await anchored(skip, limit))).toEqual(ids(await plainPage(orgId, skip, limit)));
    }
    expect(cache.get(`${orgId}|0|5`)).toEqual((await plainPage(orgId, 4, 1))[0]!.created_at);
    // A short page (the list's end) anchors nothing.
    expect(cache.get(`${orgId}|0|20`)).toBeUndefined();
    // Newer calls arrive: the anchored range holds them and the page moves.
    await insertAt(orgId, [now - 1_000, now - 2_000]);
    expect(ids(await anchored(0, 5))).toEqual(ids(await plainPage(orgId, 0, 5)));
    // Calls inside the anchored range are removed (a web session's rollback): too few in it, so the search goes on.
    const page = await plainPage(orgId, 0, 5);
    await stack.db.collections.calls.deleteMany({ _id: { $in: ids(page).slice(1, 4) } });
    expect(ids(await anchored(0, 5))).toEqual(ids(await plainPage(orgId, 0, 5)));
  });

  it('keeps at most its bound of anchors, forgetting the least recently set', () => {
    const cache = createPageAnchors(2);
    cache.set('a', new Date(1));
    cache.set('b', new Date(2));
    cache.set('a', new Date(3));
    cache.set('c', new Date(4));
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([new Date(3), undefined, new Date(4)]);
  });

  it("counts an organisation's calls as countDocuments does, carried forward as calls are added and counted whole again each hour", async () => {
    const orgId = `org-${uid()}`;
    let now = Date.now();
    const counter = createCallCounter(stack.db.collections.calls, () => now);
    const truth = () => stack.db.collections.calls.countDocuments({ org_id: orgId });
    await insertAt(orgId, [now - 86_400_000, now - 60_000]);
    expect(await counter.count(orgId)).toBe(2);
    await insertAt(orgId, [now - 10_000, now]);
    expect(await counter.count(orgId)).toBe(await truth());
    for (let step = 0; step < 6; step++) {
      now += 20_000;
      await insertAt(orgId, [now - 5_000, now - 1_000, now]);
      expect(await counter.count(orgId)).toBe(await truth());
    }
    // A write that came later than the settling time is found again by the hourly whole count.
    await insertAt(orgId, [now - 3_600_000]);
    expect(await counter.count(orgId)).toBe((await truth()) - 1);
    now += RECOUNT_AFTER_MS;
    expect(await counter.count(orgId)).toBe(await truth());
    expect(await truth()).toBe(4 + 18 + 1);
  });

  it('answers GET /v1/calls with the total and the page of the plain queries', async () => {
    const org = await stack.newOrg();
    const now = Date.now();
    await insertAt(org.id, [now - 1_000, now - 90_000, now - 4_000_000, now - 100_000_000, now - 200_000_000]);
    const list = async (q: string) => (await request(stack.apiUrl).get(`/v1/calls${q}`).set('authorization', org.apiKey).expect(200)).body;
    const all = await list('?limit=3');
    expect(all.total_count).toBe(5);
    expect(all.calls.map((c: { call_id: string }) => c.call_id)).toEqual(ids(await plainPage(org.id, 0, 3)));
    const oldest = await list('?from=3&to=5');
    expect(oldest.calls.map((c: { call_id: string }) => c.call_id)).toEqual(ids(await plainPage(org.id, 3, 2)));
    await insertAt(org.id, [Date.now()]);
    expect((await list('')).total_count).toBe(6);
  });
});
