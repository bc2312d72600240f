import { XMLParser } from 'fast-xml-parser';
import twilio from 'twilio';
import { TwilioProvider } from '../../src/telephony/twilio-provider';
import { readTwiml } from '../../src/simulator/carrier/twiml-reader';
import { agentReplyTwiml, hangupTwiml, holdTwiml, withRecordingStarted } from '../../src/telephony/twiml';
import { twilioWebhookUrl } from '../../src/telephony/webhook-urls';
import type { AgentReply, SpeechSettings } from '../../src/workflow-api/call';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', preserveOrder: true });

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Element names and attributes, in document order, of the children of <Response>. */
function responseChildren(xml: string): Node[] {
  const doc = parser.parse(xml) as Node[];
  const response = doc.find((n) => 'Response' in n);
  expect(response).toBeDefined();
  return response!.Response as Node[];
}

const nameOf = (n: Node) => Object.keys(n).find((k) => k !== ':@')!;

const speech = (over: Partial<SpeechSettings> = {}): SpeechSettings => ({
  language: 'en-US',
  voice: null,
  keywords: [],
  pronunciations: [],
  bargeIn: true,
  ...over,
});

const reply = (over: Partial<AgentReply> = {}, speechOver: Partial<SpeechSettings> = {}): AgentReply => ({
  say: 'Hello there.',
  action: 'continue',
  modelMs: 1,
  speech: speech(speechOver),
  ...over,
});

const gatherUrl = twilioWebhookUrl('https://switchboard.example.com', 'gather', '0b5e2c8a-1111-4222-8333-444455556666');

describe('agentReplyTwiml: continue', () => {
  const xml = agentReplyTwiml(reply({ say: 'How can I help?' }, { language: 'en-GB' }), gatherUrl);

  it('is a speech <Gather> posting to the gather webhook even on silence', () => {
    const children = responseChildren(xml);
    expect(children).toHaveLength(1);
    expect(nameOf(children[0]!)).toBe('Gather');
    expect(children[0]![':@']).toMatchObject({
      '@input': 'speech',
      '@action': gatherUrl,
      '@method': 'POST',
      '@language': 'en-GB',
      '@speechTimeout': 'auto',
      '@actionOnEmptyResult': 'true',
    });
  });

  it('nests the <Say> inside the <Gather>, with its language, so the caller can answer', () => {
    const gather = responseChildren(xml)[0]!.Gather as Node[];
    expect(gather).toHaveLength(1);
    expect(nameOf(gather[0]!)).toBe('Say');
    expect(gather[0]![':@']).toEqual({ '@language': 'en-GB' });
    expect(gather[0]!.Say).toEqual([{ '#text': 'How can I help?' }]);
  });

  it('keeps the query string of the action URL, escaped', () => {
    expect(gatherUrl).toContain('call_id=');
    const withQuery = agentReplyTwiml(reply(), `${gatherUrl}&extra=1`);
    expect(withQuery).toContain(`action="${gatherUrl}&amp;extra=1"`);
  });

  it('an empty reply is a bare <Gather> with no <Say>', () => {
    const empty = agentReplyTwiml(reply({ say: '' }), gatherUrl);
    expect(empty).not.toContain('<Say');
    expect(nameOf(responseChildren(empty)[0]!)).toBe('Gather');
  });

  it('lets the caller barge in unless interruptions are blocked', () => {
    expect(responseChildren(agentReplyTwiml(reply(), gatherUrl))[0]![':@']).toMatchObject({ '@bargeIn': 'true' });
    expect(responseChildren(agentReplyTwiml(reply({}, { bargeIn: false }), gatherUrl))[0]![':@']).toMatchObject({ '@bargeIn': 'false' });
  });

  it('sends keywords as speech hints, and no hints without keywords', () => {
    expect(xml).not.toContain('hints=');
    const hinted = agentReplyTwiml(reply({}, { keywords: ['Switchboard', 'Ada'] }), gatherUrl);
    expect(responseChildren(hinted)[0]![':@']).toMatchObject({ '@hints': 'Switchboard, Ada' });
  });

  it('applies the pronunciation guide to what is spoken, as whole words', () => {
    const out = agentReplyTwiml(
      reply({ say: 'We use SQL and sql, not SQLite.' }, { pronunciations: [{ word: 'SQL', pronunciation: 'sequel', caseSensitive: false }] }),
      gatherUrl,
    );
    const gather = responseChildren(out)[0]!.Gather as Node[];
    expect(gather[0]!.Say).toEqual([{ '#text': 'We use sequel and sequel, not SQLite.' }]);
  });
});

describe('agentReplyTwiml: end', () => {
  it('speaks, then hangs up, with no <Gather>', () => {
    const xml = agentReplyTwiml(reply({ action: 'end', say: 'Goodbye!' }), gatherUrl);
    const children = responseChildren(xml);
    expect(children.map(nameOf)).toEqual(['Say', 'Hangup']);
    expect(children[0]!.Say).toEqual([{ '#text': 'Goodbye!' }]);
    expect(children[0]![':@']).toEqual({ '@language': 'en-US' });
    expect(xml).toContain('<Hangup/>');
    expect(xml).not.toContain('<Gather');
  });

  it('hangs up without speaking when there is nothing to say', () => {
    const xml = agentReplyTwiml(reply({ action: 'end', say: '' }), gatherUrl);
    expect(responseChildren(xml).map(nameOf)).toEqual(['Hangup']);
  });
});

describe('XML escaping', () => {
  const hostile = '<script>alert("x")</script> & </Say><Hangup/> \'quoted\'';
  const decode = new XMLParser({ processEntities: true, ignoreAttributes: true });

  it('escapes the spoken text inside <Gather>', () => {
    const xml = agentReplyTwiml(reply({ say: hostile }), gatherUrl);
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;');
    expect(xml).toContain('&amp;');
    expect(responseChildren(xml).map(nameOf)).toEqual(['Gather']);
    expect((responseChildren(xml)[0]!.Gather as Node[]).map(nameOf)).toEqual(['Say']);
    const parsed = decode.parse(xml) as { Response: { Gather: { Say: string } } };
    expect(parsed.Response.Gather.Say).toBe(hostile);
  });

  it('escapes the spoken text before a hang-up', () => {
    const xml = agentReplyTwiml(reply({ action: 'end', say: hostile }), gatherUrl);
    expect(xml).not.toContain('<script>');
    expect(responseChildren(xml).map(nameOf)).toEqual(['Say', 'Hangup']);
    const parsed = decode.parse(xml) as { Response: { Say: string } };
    expect(parsed.Response.Say).toBe(hostile);
  });

  it('escapes attribute values', () => {
    const xml = agentReplyTwiml(reply({}, { keywords: ['a"b', '<c>'] }), 'https://x.example/g?a=1&b="2"<');
    expect(xml).toContain('action="https://x.example/g?a=1&amp;b=&quot;2&quot;&lt;"');
    expect(xml).toMatch(/hints="a&quot;b, &lt;c(>|&gt;)"/);
    expect(responseChildren(xml)).toHaveLength(1);
    const attrs = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true }).parse(xml) as {
      Response: { Gather: { action: string; hints: string } };
    };
    expect(attrs.Response.Gather.action).toBe('https://x.example/g?a=1&b="2"<');
    expect(attrs.Response.Gather.hints).toBe('a"b, <c>');
  });
});

describe('voice attribute', () => {
  it('is absent when no voice is set', () => {
    for (const action of ['continue', 'end'] as const) {
      expect(agentReplyTwiml(reply({ action }, { voice: null }), gatherUrl)).not.toContain('voice=');
    }
  });

  it('is set on <Say> (not on <Gather>) when a voice is given', () => {
    const cont = agentReplyTwiml(reply({}, { voice: 'Polly.Joanna' }), gatherUrl);
    const gather = responseChildren(cont)[0]!;
    expect(gather[':@']).not.toHaveProperty('@voice');
    expect((gather.Gather as Node[])[0]![':@']).toEqual({ '@language': 'en-US', '@voice': 'Polly.Joanna' });

    const end = agentReplyTwiml(reply({ action: 'end' }, { voice: 'Polly.Joanna' }), gatherUrl);
    expect(responseChildren(end)[0]![':@']).toEqual({ '@language': 'en-US', '@voice': 'Polly.Joanna' });
  });
});

describe('hangupTwiml', () => {
  it('is a bare <Hangup/>', () => {
    expect(responseChildren(hangupTwiml()).map(nameOf)).toEqual(['Hangup']);
  });

  it('speaks an escaped message first', () => {
    const xml = hangupTwiml('Sorry & goodbye <3');
    expect(responseChildren(xml).map(nameOf)).toEqual(['Say', 'Hangup']);
    expect(xml).toContain('Sorry &amp; goodbye &lt;3');
  });
});

describe('withRecordingStarted', () => {
  const recordingUrl = twilioWebhookUrl('https://switchboard.example.com', 'recording', '0b5e2c8a-1111-4222-8333-444455556666');

  it('starts the recording before the first verb, and keeps the document whole', () => {
    const held = holdTwiml('https://switchboard.example.com/turn-wait?a=1&b=2');
    const xml = withRecordingStarted(held, recordingUrl);
    expect(responseChildren(xml).map(nameOf)).toEqual(['Start', 'Pause', 'Redirect']);
    const start = responseChildren(xml)[0]!.Start as Node[];
    expect(start.map(nameOf)).toEqual(['Recording']);
    expect(start[0]![':@']).toMatchObject({ '@recordingStatusCallback': recordingUrl, '@recordingStatusCallbackEvent': 'completed', '@recordingStatusCallbackMethod': 'POST' });
    expect(xml.replace(/<Start>.*<\/Start>/, '')).toBe(held);
  });

  it('is read by the carrier simulator as a recording start with its callback', () => {
    const verbs = readTwiml(withRecordingStarted(hangupTwiml('Bye & thanks'), recordingUrl));
    expect(verbs).toEqual([{ verb: 'StartRecording', callback: recordingUrl }, { verb: 'Say', text: 'Bye & thanks' }, { verb: 'Hangup' }]);
  });

  it('refuses a document without an open <Response> rather than answer unrecorded', () => {
    expect(() => withRecordingStarted('<?xml version="1.0" encoding="UTF-8"?><Response/>', recordingUrl)).toThrow(/no <Response>/);
  });
});

describe('webhook signatures: twilio SDK ⇄ TwilioProvider.validateWebhook', () => {
  const authToken = 'unit-test-auth-token-0123456789';
  const provider = new TwilioProvider({ accountSid: `AC${'1'.repeat(32)}`, authToken, apiBaseUrl: 'http://127.0.0.1:1' });
  const url = twilioWebhookUrl('https://switchboard.example.com', 'gather', '0b5e2c8a-1111-4222-8333-444455556666');
  const params = { CallSid: `CA${'a'.repeat(32)}`, SpeechResult: 'Yes, that works.', Confidence: '0.92' };
  const signature = twilio.getExpectedTwilioSignature(authToken, url, params);

  it('is simulated when pointed at another API host', () => {
    expect(provider.simulated).toBe(true);
  });

  it('accepts the signature the carrier computes', () => {
    expect(provider.validateWebhook(signature, url, params)).toBe(true);
  });

  it('accepts the same params in another order (the signature sorts them)', () => {
    const reordered = { Confidence: params.Confidence, SpeechResult: params.SpeechResult, CallSid: params.CallSid };
    expect(provider.validateWebhook(signature, url, reordered)).toBe(true);
  });

  it('rejects a signature made with another auth token', () => {
    const forged = twilio.getExpectedTwilioSignature('some-other-auth-token-value', url, params);
    expect(provider.validateWebhook(forged, url, params)).toBe(false);
  });

  it('rejects a tampered parameter', () => {
    expect(provider.validateWebhook(signature, url, { ...params, SpeechResult: 'No, cancel everything.' })).toBe(false);
  });

  it('rejects an added parameter', () => {
    expect(provider.validateWebhook(signature, url, { ...params, Digits: '1' })).toBe(false);
  });

  it('rejects a removed parameter', () => {
    const { Confidence: _dropped, ...fewer } = params;
    expect(provider.validateWebhook(signature, url, fewer)).toBe(false);
  });

  it('rejects another URL (another call ID or hook)', () => {
    expect(provider.validateWebhook(signature, url.replace('0b5e2c8a', '1b5e2c8a'), params)).toBe(false);
    expect(provider.validateWebhook(signature, url.replace('/gather', '/status'), params)).toBe(false);
  });

  it('rejects a missing or empty signature', () => {
    expect(provider.validateWebhook(undefined, url, params)).toBe(false);
    expect(provider.validateWebhook('', url, params)).toBe(false);
  });

  it('rejects garbage', () => {
    expect(provider.validateWebhook('not-base64!', url, params)).toBe(false);
    expect(provider.validateWebhook(signature.slice(0, -2), url, params)).toBe(false);
  });
});
