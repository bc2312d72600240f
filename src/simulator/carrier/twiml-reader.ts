import { XMLParser } from 'fast-xml-parser';

/** The TwiML verbs the simulated callee understands, in document order. */
export type Verb =
  | { verb: 'Say'; text: string }
  | { verb: 'Gather'; action: string | null; input: string; children: Verb[] }
  | { verb: 'Hangup' }
  | { verb: 'Redirect'; url: string }
  | { verb: 'Pause'; seconds: number }
  | { verb: 'Dial'; number: string; action: string | null; bridge?: DialBridge }
  | { verb: 'Play'; url: string }
  | { verb: 'Record'; action: string | null }
  | { verb: 'Reject'; reason: string }
  /** `<Start><Recording>`: record the call from here on; the completed recording goes to `callback`. */
  | { verb: 'StartRecording'; callback: string | null }
  | { verb: 'Unknown'; name: string };

/** A `<Dial>` whose `<Sip>` (or `<Number>` with a statusCallback) leg is played by the simulated trunk (sip-trunk.ts). */
export interface DialBridge {
  address: string;
  callerId: string | null;
  timeoutSeconds: number;
  statusCallback: string | null;
  statusCallbackEvents: string[];
  /** `<Sip username>`: the digest username presented to the trunk. */
  authUsername: string | null;
  /** Whether `<Sip password>` was given (the password itself is never kept). */
  authPasswordPresent: boolean;
}

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

function dialBridge(attrs: Record<string, string>, children: unknown): DialBridge | undefined {
  if (!Array.isArray(children)) return undefined;
  const noun = (children as Node[]).find((c) => 'Sip' in c || ('Number' in c && c[':@']?.statusCallback));
  if (!noun) return undefined;
  const nounAttrs = noun[':@'] ?? {};
  return {
    address: textOf('Sip' in noun ? noun.Sip : noun.Number),
    callerId: attrs.callerId ?? null,
    timeoutSeconds: Number(attrs.timeout ?? 30),
    statusCallback: nounAttrs.statusCallback ?? null,
    statusCallbackEvents: (nounAttrs.statusCallbackEvent ?? 'completed').split(/[\s,]+/).filter(Boolean),
    authUsername: 'Sip' in noun ? (nounAttrs.username ?? null) : null,
    authPasswordPresent: 'Sip' in noun && Boolean(nounAttrs.password),
  };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: true,
  // Phone numbers and spoken digits are text, never numbers ("+1202…" would lose its plus).
  parseTagValue: false,
  parseAttributeValue: false,
});

function textOf(children: unknown): string {
  if (!Array.isArray(children)) return '';
  return (children as Node[])
    .map((c) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : ''))
    .join('')
    .trim();
}

function toVerbs(nodes: Node[]): Verb[] {
  const verbs: Verb[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
    if (!name) continue;
    const children = node[name];
    const attrs = node[':@'] ?? {};
    switch (name) {
      case 'Say':
        verbs.push({ verb: 'Say', text: textOf(children) });
        break;
      case 'Gather':
        verbs.push({ verb: 'Gather', action: attrs.action ?? null, input: attrs.input ?? 'dtmf', children: toVerbs((children as Node[]) ?? []) });
        break;
      case 'Hangup':
        verbs.push({ verb: 'Hangup' });
        break;
      case 'Redirect':
        verbs.push({ verb: 'Redirect', url: textOf(children) });
        break;
      case 'Pause':
        verbs.push({ verb: 'Pause', seconds: Number(attrs.length ?? 1) });
        break;
      case 'Dial': {
        const nested = Array.isArray(children) ? (children as Node[]).find((c) => 'Number' in c) : undefined;
        const bridge = dialBridge(attrs, children);
        verbs.push({ verb: 'Dial', number: nested ? textOf(nested.Number) : textOf(children), action: attrs.action ?? null, ...(bridge ? { bridge } : {}) });
        break;
      }
      case 'Play':
        verbs.push({ verb: 'Play', url: textOf(children) });
        break;
      case 'Record':
        verbs.push({ verb: 'Record', action: attrs.action ?? null });
        break;
      case 'Reject':
        verbs.push({ verb: 'Reject', reason: attrs.reason ?? 'rejected' });
        break;
      case 'Start':
        for (const noun of Array.isArray(children) ? (children as Node[]) : []) {
          if (!('Recording' in noun)) continue;
          const nounAttrs = noun[':@'] ?? {};
          const events = (nounAttrs.recordingStatusCallbackEvent ?? 'completed').split(/[\s,]+/);
          verbs.push({ verb: 'StartRecording', callback: events.includes('completed') ? (nounAttrs.recordingStatusCallback ?? null) : null });
        }
        break;
      default:
        verbs.push({ verb: 'Unknown', name });
    }
  }
  return verbs;
}

/** Parses a TwiML document; anything that is not `<Response>` is an application error, as on Twilio. */
export function readTwiml(xml: string): Verb[] {
  const doc = parser.parse(xml) as Node[];
  const response = doc.find((n) => 'Response' in n);
  if (!response) throw new Error('TwiML document has no <Response> root');
  return toVerbs((response.Response as Node[]) ?? []);
}
