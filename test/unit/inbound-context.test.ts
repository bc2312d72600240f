import type { Database } from '../../src/db/database';
import { resolveInboundContext } from '../../src/inbound/context';
import { parseLookupCsv } from '../../src/inbound/csv';
import { acceptSingleBraces, withSingleBraces } from '../../src/inbound/placeholders';
import { singleBraceNames } from '../../src/inbound/prompt-names';
import { hashSessionToken } from '../../src/inbound/sessions';
import { lookupRowId, type InboundLookupDoc, type InboundSessionDoc } from '../../src/inbound/types';
import type { OutboundHttp, OutboundRequest } from '../../src/net/outbound-http';
import type { InboundNumberDoc } from '../../src/numbers/types';
import { renderTemplate } from '../../src/templating';

/**
 * The caller's SIP context (seeds 000 and 002) over an in-memory store: the merge order, missing
 * headers, the lookup key's fallback, sessions, and hostile values staying data.
 */

const ORG = 'org_a';
const NUMBER = '+14155550100';
const CALLER = '+14155559999';
const CREATED = new Date('2025-01-01T00:00:00Z');

/** Collections that answer `findOne({_id})` from maps: all the context reads. */
function fakeDb(docs: { numbers?: InboundNumberDoc[]; lookups?: InboundLookupDoc[]; rows?: Array<{ _id: string; org_id: string; values: Record<string, string> }>; sessions?: InboundSessionDoc[] }) {
  const coll = <T extends { _id: string }>(list: T[] = []) => ({ findOne: async (q: { _id: string }) => list.find((d) => d._id === q._id) ?? null });
  return {
    collections: {
      inboundNumbers: coll(docs.numbers),
      inboundLookups: coll(docs.lookups),
      inboundLookupRows: coll(docs.rows),
      inboundSessions: coll(docs.sessions),
    },
  } as unknown as Database;
}

const noHttp: OutboundHttp = { request: async () => Promise.reject(new Error('no HTTP expected')) };

function numberDoc(agent: Record<string, unknown>, orgId = ORG): InboundNumberDoc {
  return {
    _id: NUMBER, org_id: orgId, phone_number: NUMBER, source: 'purchased', provider_sid: 'PN1', account_sid: 'AC1',
    carrier_account_id: null, agent, created_at: CREATED, updated_at: CREATED, last_initiated: null,
  };
}

/** The seed's worked example: three declared headers, X-CALLERNO the lookup key, and its CSV. */
const SEED_AGENT = {
  prompt: 'You are calling on behalf of {account}. The caller is {caller_no}. Their session ID is {ucid}. Hello {first_name} on {plan}.',
  sip_header_variables: { 'X-CALLERNO': 'caller_no', 'X-UCID': 'ucid', 'X-ACCOUNT': 'account' },
  ingest_lookup_key: 'X-CALLERNO',
};
const SEED_CSV = 'contact_number,first_name,plan\n0XXXXXXXXXX,Ramesh,Pro\n08860123456,Anita,Basic\n';

function csvStore(csvText: string, agent: Record<string, unknown> = SEED_AGENT) {
  const parsed = parseLookupCsv(csvText);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const version = 'v1';
  return fakeDb({
    numbers: [numberDoc(agent)],
    lookups: [{ _id: NUMBER, org_id: ORG, number_created_at: CREATED, source: 'csv', version, key_column: parsed.csv.keyColumn, columns: parsed.csv.columns, rows: parsed.csv.rows.size, bytes: 1, updated_at: CREATED }],
    rows: [...parsed.csv.rows].map(([key, values]) => ({ _id: lookupRowId(version, key), org_id: ORG, values })),
  });
}

const resolve = (db: Database, sipHeaders: Record<string, string>, outbound: OutboundHttp = noHttp) =>
  resolveInboundContext({ db, outbound }, { orgId: ORG, callId: 'call-1', number: NUMBER, from: CALLER, sipHeaders });

const SEED_HEADERS = { 'X-CALLERNO': '0XXXXXXXXXX', 'X-UCID': 'XXXXXXXXXXXXXXXXX', 'X-ACCOUNT': '<account_id>', 'X-DID': '91XXXXXXXXXX' };

describe('resolveInboundContext: seed 002', () => {
  it("renders the seed's worked example: headers first, then the CSV row found by X-CALLERNO's value", async () => {
    const db = csvStore(SEED_CSV);
    const ctx = await resolve(db, SEED_HEADERS);
    expect(ctx.variables).toMatchObject({ caller_no: '0XXXXXXXXXX', ucid: 'XXXXXXXXXXXXXXXXX', account: '<account_id>', first_name: 'Ramesh', plan: 'Pro' });
    // Bland's convention: every X- header, lower-cased.
    expect(ctx.variables).toMatchObject({ 'sip_header_x-callerno': '0XXXXXXXXXX', 'sip_header_x-did': '91XXXXXXXXXX' });
    expect(ctx.variables).not.toHaveProperty('contact_number');
    expect(ctx.events.filter((e) => e.category === 'error')).toEqual([]);
    const names = await singleBraceNames(db, numberDoc(SEED_AGENT));
    expect(names.sort()).toEqual(['account', 'caller_no', 'first_name', 'plan', 'ucid']);
    const body = withSingleBraces({ task: SEED_AGENT.prompt, first_sentence: 'Hi {first_name}', voice: '{plan}' }, names);
    expect(body).toEqual({ task: expect.any(String), first_sentence: 'Hi {{first_name}}', voice: '{plan}' });
    const prompt = renderTemplate(body.task, ctx.variables);
    expect(prompt).toBe('You are calling on behalf of <account_id>. The caller is 0XXXXXXXXXX. Their session ID is XXXXXXXXXXXXXXXXX. Hello Ramesh on Pro.');
  });

  it('renders a declared header that is absent as the empty string, says so, and goes on', async () => {
    const { 'X-UCID': _gone, ...headers } = SEED_HEADERS;
    const ctx = await resolve(csvStore(SEED_CSV), headers);
    expect(ctx.variables).toMatchObject({ ucid: '', caller_no: '0XXXXXXXXXX', first_name: 'Ramesh' });
    expect(ctx.events).toContainEqual({ category: 'info', message: expect.stringContaining('X-UCID (variable ucid) is not on this call') });
  });

  it("falls back to the caller's number when the lookup key header is absent, with a warning", async () => {
    const ctx = await resolve(csvStore(`contact_number,first_name,plan\n${CALLER},Callie,Gold\n0XXXXXXXXXX,Ramesh,Pro\n`), { 'X-UCID': 'u1' });
    expect(ctx.variables).toMatchObject({ first_name: 'Callie', plan: 'Gold', caller_no: '', ucid: 'u1' });
    const warning = ctx.events.find((e) => e.message.startsWith('Warning'));
    expect(warning?.message).toContain('X-CALLERNO');
    // The caller's number is masked in the event.
    expect(JSON.stringify(ctx.events)).not.toContain(CALLER);
  });

  it("looks up by the caller's number, without a warning, when no ingest_lookup_key is set", async () => {
    const agent = { ...SEED_AGENT, ingest_lookup_key: undefined };
    const ctx = await resolve(csvStore(`contact_number,first_name\n${CALLER},Callie\n`, agent), SEED_HEADERS);
    expect(ctx.variables.first_name).toBe('Callie');
    expect(ctx.events.some((e) => e.message.startsWith('Warning'))).toBe(false);
  });

  it('lets the CSV win over a header on a shared name', async () => {
    const ctx = await resolve(csvStore('contact_number,account,plan\n0XXXXXXXXXX,from-csv,Pro\n'), SEED_HEADERS);
    expect(ctx.variables.account).toBe('from-csv');
    expect(ctx.variables['sip_header_x-account']).toBe('<account_id>');
  });

  it('matches the key exactly: no normalisation of prefixes, case or spaces', async () => {
    for (const key of ['+91XXXXXXXXXX', 'XXXXXXXXXX', ' 0XXXXXXXXXX', '0xxxxxxxxxx']) {
      const ctx = await resolve(csvStore(SEED_CSV), { ...SEED_HEADERS, 'X-CALLERNO': key });
      expect(ctx.variables.first_name).toBeUndefined();
      expect(ctx.events).toContainEqual({ category: 'info', message: expect.stringContaining('Lookup CSV: no row for') });
    }
  });

  it('matches header names case-sensitively, as the seed says', async () => {
    const ctx = await resolve(csvStore(SEED_CSV), { 'x-callerno': '0XXXXXXXXXX' });
    expect(ctx.variables.caller_no).toBe('');
    expect(ctx.variables['sip_header_x-callerno']).toBe('0XXXXXXXXXX');
  });

  it('keeps hostile header values inert: template syntax is not evaluated, huge values are cut, control characters removed', async () => {
    const db = csvStore(SEED_CSV, { ...SEED_AGENT, prompt: 'Account {account}; caller {{caller_no}}; ucid {{ucid}}.' });
    const ctx = await resolve(db, {
      'X-CALLERNO': '0XXXXXXXXXX',
      'X-ACCOUNT': '{{secret}} {first_name} ${process.env.X}',
      'X-UCID': `a\u0000b\r\nc\u202ed\u001b[31m${'z'.repeat(100_000)}`,
    });
    expect(ctx.variables.account).toBe('{{secret}} {first_name} ${process.env.X}');
    const ucid = ctx.variables.ucid as string;
    expect(ucid.length).toBe(1_024);
    expect(ucid.startsWith('abcd[31mzzz')).toBe(true);
    expect(ctx.events).toContainEqual({ category: 'info', message: expect.stringContaining('X-UCID (variable ucid) is longer than 1,024 characters') });
    const rendered = renderTemplate(acceptSingleBraces('Account {account}; caller {{caller_no}}.', ['account', 'first_name']), { ...ctx.variables, secret: 'LEAK' });
    expect(rendered).toBe('Account {{secret}} {first_name} ${process.env.X}; caller 0XXXXXXXXXX.');
    // No event repeats a value.
    expect(JSON.stringify(ctx.events)).not.toMatch(/secret|zzzz/);
  });

  it('ignores malformed header names and reads at most 50 headers', async () => {
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`X-H${i}`, String(i)]));
    const ctx = await resolve(fakeDb({ numbers: [numberDoc({ prompt: 'p' })] }), { 'X-Bad Name': 'x', 'X-$x': 'y', ...many });
    const keys = Object.keys(ctx.variables);
    expect(keys.length).toBe(50);
    expect(keys.every((k) => /^sip_header_x-h\d+$/.test(k))).toBe(true);
  });

  it('uses a lookup URL through the outbound client, and goes on without it when it fails', async () => {
    const seen: OutboundRequest[] = [];
    const http = (status: number, body: string): OutboundHttp => ({
      request: async (req) => {
        seen.push(req);
        return { status, statusText: '', headers: {}, body: Buffer.from(body), url: req.url, redirects: 0 };
      },
    });
    const db = fakeDb({
      numbers: [numberDoc(SEED_AGENT)],
      lookups: [{ _id: NUMBER, org_id: ORG, number_created_at: CREATED, source: 'url', url: 'https://crm.example/lookup', headers: { authorization: 'Bearer k' }, timeout_ms: 1500, updated_at: CREATED }],
    });
    const ok = await resolve(db, SEED_HEADERS, http(200, JSON.stringify({ first_name: 'Ramesh', account: 'crm', nested: { a: 1 }, 'bad name': 'x', __proto__x: 1 })));
    expect(ok.variables).toMatchObject({ first_name: 'Ramesh', account: 'crm', caller_no: '0XXXXXXXXXX' });
    expect(ok.variables).not.toHaveProperty('nested');
    const url = new URL(seen[0]!.url);
    expect(url.searchParams.get('lookup_key')).toBe('0XXXXXXXXXX');
    expect(url.searchParams.get('to')).toBe(NUMBER);
    expect(seen[0]).toMatchObject({ method: 'GET', timeoutMs: 1500, headers: expect.objectContaining({ authorization: 'Bearer k' }) });

    const none = await resolve(db, SEED_HEADERS, http(404, ''));
    expect(none.variables.first_name).toBeUndefined();
    const failed = await resolve(db, SEED_HEADERS, http(500, 'oops'));
    expect(failed.variables.caller_no).toBe('0XXXXXXXXXX');
    expect(failed.events).toContainEqual({ category: 'error', message: expect.stringContaining('answered HTTP 500') });
    const refused = await resolve(db, SEED_HEADERS, { request: async () => Promise.reject(new Error('boom')) });
    expect(refused.events).toContainEqual({ category: 'error', message: expect.stringContaining('Lookup URL failed') });
  });

  it("ignores a lookup source left from the number's earlier life or another organisation", async () => {
    const db = fakeDb({
      numbers: [numberDoc(SEED_AGENT)],
      lookups: [{ _id: NUMBER, org_id: 'org_b', number_created_at: CREATED, source: 'csv', version: 'v1', columns: ['first_name'], updated_at: CREATED }],
      rows: [{ _id: lookupRowId('v1', '0XXXXXXXXXX'), org_id: 'org_b', values: { first_name: 'Other' } }],
    });
    const ctx = await resolve(db, SEED_HEADERS);
    expect(ctx.variables.first_name).toBeUndefined();
  });
});

describe('resolveInboundContext: seed 000 sessions', () => {
  const TOKEN = '550e8400-e29b-41d4-a716-446655440000';
  const session = (over: Partial<InboundSessionDoc> = {}): InboundSessionDoc => ({
    _id: hashSessionToken(TOKEN), org_id: ORG, phone_number: NUMBER, request_data: { customer_id: '12345', plan: 'session-plan' }, voice: 'June',
    created_at: new Date(), expires_at: new Date(Date.now() + 60_000), ...over,
  });

  it("adds the session's request_data and voice; the header name matches in any case; the token never becomes a variable", async () => {
    for (const name of ['x-bland-session-id', 'X-Bland-Session-Id', 'X-BLAND-SESSION-ID']) {
      const ctx = await resolve(fakeDb({ numbers: [numberDoc(SEED_AGENT)], sessions: [session()] }), { [name]: TOKEN });
      expect(ctx.variables).toMatchObject({ customer_id: '12345' });
      expect(ctx.voice).toBe('June');
      expect(JSON.stringify(ctx)).not.toContain(TOKEN);
    }
  });

  it('applies the session last: its request_data wins over the lookup', async () => {
    const parsed = parseLookupCsv(SEED_CSV);
    if (!parsed.ok) throw new Error('csv');
    const db = fakeDb({
      numbers: [numberDoc(SEED_AGENT)],
      lookups: [{ _id: NUMBER, org_id: ORG, number_created_at: CREATED, source: 'csv', version: 'v1', columns: ['first_name', 'plan'], updated_at: CREATED }],
      rows: [{ _id: lookupRowId('v1', '0XXXXXXXXXX'), org_id: ORG, values: { first_name: 'Ramesh', plan: 'Pro' } }],
      sessions: [session()],
    });
    const ctx = await resolve(db, { ...SEED_HEADERS, 'x-bland-session-id': TOKEN });
    expect(ctx.variables).toMatchObject({ first_name: 'Ramesh', plan: 'session-plan' });
  });

  it('goes on without an unknown, expired, foreign or other-number token, saying so without echoing it', async () => {
    const cases: Array<[InboundSessionDoc[], RegExp]> = [
      [[], /is not a session of this organisation/],
      [[session({ expires_at: new Date(Date.now() - 1) })], /has expired/],
      [[session({ org_id: 'org_b' })], /is not a session of this organisation/],
      [[session({ phone_number: '+14155550101' })], /was created for another number/],
    ];
    for (const [sessions, why] of cases) {
      const ctx = await resolve(fakeDb({ numbers: [numberDoc(SEED_AGENT)], sessions }), { 'x-bland-session-id': TOKEN });
      expect(ctx.variables.customer_id).toBeUndefined();
      expect(ctx.voice).toBeUndefined();
      const event = ctx.events.find((e) => e.message.startsWith('Inbound session'));
      expect(event?.message).toMatch(why);
      expect(event?.message).toMatch(/the call goes on without it/);
      expect(JSON.stringify(ctx.events)).not.toContain(TOKEN);
      expect(JSON.stringify(ctx.events)).not.toContain(TOKEN.slice(0, 8));
    }
    const huge = await resolve(fakeDb({ numbers: [numberDoc(SEED_AGENT)] }), { 'x-bland-session-id': 'x'.repeat(5000) });
    expect(huge.events.find((e) => e.message.startsWith('Inbound session'))!.message.length).toBeLessThan(200);
  });
});

describe('lookup CSV', () => {
  it('reads quoted cells with commas, quotes and line breaks, a BOM and CRLF', () => {
    const r = parseLookupCsv('\uFEFFkey,note,city\r\n"a,1","say ""hi""","New\nYork"\r\nb,,Paris');
    expect(r.ok && [...r.csv.rows]).toEqual([
      ['a,1', { note: 'say "hi"', city: 'New\nYork' }],
      ['b', { note: '', city: 'Paris' }],
    ]);
  });

  it('names every bad row by its row number (the header is row 1), and stores nothing', () => {
    const r = parseLookupCsv('key,first name,plan,plan\nk1,a,b\n,x,y,z\nk1,1,2,3\nk4,"open\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'row 1: column 2 ("first name") is not a variable name (a letter or \'_\', then letters, digits or \'_\'; at most 64).',
      'row 1: column plan appears twice.',
      'row 2: has 3 cells; the header has 4.',
      'row 3: the key (column key) is empty.',
      'row 5: a quoted cell is never closed.',
    ]);
    const dup = parseLookupCsv('key,v\nk,1\nk,2\nx,"a"b\n');
    expect(!dup.ok && dup.errors).toEqual(["row 3: the key is the same as row 2's; keys must be unique.", 'row 4: text after a closing quote (a quote inside a quoted cell is written "").']);
    const ctl = parseLookupCsv(`key,v\nk,a\u0001b\nk2,${'x'.repeat(1001)}\n__proto__x,1\n`);
    expect(!ctl.ok && ctl.errors).toEqual(['row 2: column v has a control character.', 'row 3: column v is longer than 1000 characters.']);
    expect(parseLookupCsv('key,__proto__\nk,1\n').ok).toBe(false);
  });

  it('refuses an empty CSV, a header alone, and more than the size and row limits', () => {
    expect(parseLookupCsv('')).toMatchObject({ ok: false, errors: [expect.stringContaining('The CSV is empty')] });
    expect(parseLookupCsv('key,v\n')).toMatchObject({ ok: false, errors: ['The CSV has a header row but no rows.'] });
    expect(parseLookupCsv('key,v\n' + 'k,x\n'.repeat(1)).ok).toBe(true);
    const rows = 'key,v\n' + Array.from({ length: 10_001 }, (_, i) => `k${i},v`).join('\n');
    expect(parseLookupCsv(rows)).toMatchObject({ ok: false, tooLarge: true, errors: ['The CSV has more than 10,000 rows after its header.'] });
    expect(parseLookupCsv('key,v\nk,' + 'x'.repeat(1_048_576))).toMatchObject({ ok: false, tooLarge: true });
  });
});

describe('single-brace placeholders', () => {
  it('reads {name} as {{name}} only for the names given, leaving other braces alone', () => {
    const t = 'Hi {first_name}, {{plan}}, {other}, {"json": 1}, {{{first_name}}}, { first_name }';
    expect(acceptSingleBraces(t, ['first_name', 'plan'])).toBe('Hi {{first_name}}, {{plan}}, {other}, {"json": 1}, {{{first_name}}}, { first_name }');
    expect(acceptSingleBraces(t, [])).toBe(t);
  });
});
