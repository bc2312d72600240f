import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MAX_TURN_HOLDS } from '../../api/routes/turn-hold';
import { inboundCallId } from '../../src/calls/inbound-call';

/** One voice/gather webhook as seen in front of the API. */
export interface TurnSample {
  callId: string;
  hook: 'voice' | 'gather';
  /** Request headers in → last response byte handed to the socket, at the proxy. */
  wallMs: number;
  /** Server-Timing `model`: the model call inside the agent-turn activity. */
  modelMs: number;
  /** Server-Timing `turn`: the API handler's own view (update sent → TwiML built). */
  handlerMs: number;
  /** The carrier had given up waiting (LATE_MS); wallMs is then when the API's answer came. */
  abandoned: boolean;
  /**
   * The reply was not ready in time and the API held the line (api/routes/turn-hold.ts): wallMs
   * runs from the first webhook's arrival to the reply, through every `turn-wait`.
   */
  held: boolean;
}

/** A carrier webhook answered after the carrier's wait, or not answered before the carrier gave up. */
export interface LateWebhook {
  callId: string;
  path: string;
  /** Request in -> response finished, or -> the carrier's side closed first. */
  ms: number;
  /** The carrier closed the connection before the answer was handed over. */
  abandoned: boolean;
  /** When the API answered (request in -> its response headers), if it did. */
  answeredMs: number | null;
}

export interface TimingProxy {
  url: string;
  samples: TurnSample[];
  /** Turn webhooks that came back without Server-Timing (refused turns, errors). */
  untimed: number;
  /** Turn webhooks answered with a hold (Server-Timing `hold`), turn-waits that held again included. */
  holds: number;
  /** The same holds, by call ID. */
  holdsByCall: ReadonlyMap<string, number>;
  /**
   * Calls with a turn the API gave up on: still not ready at the last `turn-wait` it allows
   * (MAX_TURN_HOLDS), answered with a hang-up (timed as a hold). The call then ends `complete`
   * without the rest of its conversation.
   */
  givenUp: ReadonlySet<string>;
  /** Every carrier webhook (turns, status and AMD callbacks) seen, and those past LATE_MS or abandoned. */
  webhooks: number;
  late: LateWebhook[];
  setTarget(port: number): void;
  close(): Promise<void>;
}

const TURN_PATH = /^\/v1\/telephony\/twilio\/(voice|gather|turn-wait)(?:\?|$)/;
const WEBHOOK_PATH = /^\/v1\/telephony\//;
/** How long Twilio (and the carrier simulator) waits for a webhook's answer. */
export const LATE_MS = 15_000;
// Hop-by-hop headers belong to each connection, not to the forwarded message.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);
const endToEnd = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => !HOP.has(k)));

function serverTiming(header: string | string[] | undefined, name: string): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const m = new RegExp(`(?:^|,)\\s*${name};dur=([0-9.]+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * A loopback pass-through in front of the API. The carrier simulator signs the URL it posts to
 * and the API verifies against PUBLIC_BASE_URL + path, so pointing PUBLIC_BASE_URL here keeps
 * signatures valid while every webhook is timed from outside the process's Express stack.
 */
export async function startTimingProxy(): Promise<TimingProxy> {
  let targetPort = 0;
  const samples: TurnSample[] = [];
  const late: LateWebhook[] = [];
  const proxy = { untimed: 0, webhooks: 0, holds: 0 };
  const holdsByCall = new Map<string, number>();
  const givenUp = new Set<string>();
  // A held turn, by call (a call has one turn at a time): its first webhook, until a turn-wait brings the reply.
  const heldTurns = new Map<string, { started: number; hook: TurnSample['hook'] }>();
  // No cap on sockets to the API: a carrier opens as many connections as it has webhooks in
  // flight, and a queue here would be counted as turn time.
  // Idle sockets are closed well before the API's keep-alive timeout (65 s) can close them under a
  // request: a burst after a long quiet phase (the baseline) otherwise meets a closing socket.
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 256, timeout: 30_000 });
  const server = createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '', 'http://x');
    const turn = TURN_PATH.exec(req.url ?? '');
    let callId = url.searchParams.get('call_id') ?? '';
    // An incoming call's own webhooks (its number's voice and status) carry no call_id: it is derived
    // from the form's AccountSid and CallSid, as the API derives it. The form is small; it is read as it passes.
    if (!callId && WEBHOOK_PATH.test(req.url ?? '')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const [account, sid] = [form.get('AccountSid'), form.get('CallSid')];
        if (account && sid) callId = inboundCallId(account, sid);
      });
    }
    let lateOne: LateWebhook | undefined;
    let gone = false;
    res.once('close', () => {
      gone = !res.writableFinished;
    });
    if (WEBHOOK_PATH.test(req.url ?? '')) {
      proxy.webhooks++;
      res.once('close', () => {
        const ms = performance.now() - started;
        const abandoned = !res.writableFinished;
        if (!abandoned && ms <= LATE_MS) return;
        lateOne = { callId, path: url.pathname, ms, abandoned, answeredMs: abandoned ? null : ms };
        late.push(lateOne);
      });
    }
    const timed = (up: IncomingMessage, wallMs: number, abandoned: boolean) => {
      if (!turn) return;
      const modelMs = serverTiming(up.headers['server-timing'], 'model');
      const handlerMs = serverTiming(up.headers['server-timing'], 'turn');
      const first = turn[1] === 'turn-wait' ? heldTurns.get(callId) : { started, hook: turn[1] as TurnSample['hook'] };
      if (serverTiming(up.headers['server-timing'], 'hold') !== undefined && up.statusCode === 200) {
        proxy.holds++;
        holdsByCall.set(callId, (holdsByCall.get(callId) ?? 0) + 1);
        if (turn[1] === 'turn-wait' && Number(url.searchParams.get('holds')) >= MAX_TURN_HOLDS) givenUp.add(callId);
        if (first) heldTurns.set(callId, first);
        return;
      }
      heldTurns.delete(callId);
      if (modelMs === undefined || handlerMs === undefined || up.statusCode !== 200 || !first) proxy.untimed++;
      else {
        const held = turn[1] === 'turn-wait';
        samples.push({ callId, hook: first.hook, wallMs: held ? performance.now() - first.started : wallMs, modelMs, handlerMs, abandoned, held });
      }
    };
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: endToEnd(req.headers), agent },
      (up) => {
        if (gone || res.destroyed) {
          // The carrier gave up before the API answered; the turn still counts, at the API's answer.
          const answeredMs = performance.now() - started;
          if (lateOne) lateOne.answeredMs = answeredMs;
          timed(up, answeredMs, true);
          up.resume();
          return;
        }
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        up.pipe(res);
        if (turn) res.on('finish', () => timed(up, performance.now() - started, false));
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    samples,
    late,
    get untimed() {
      return proxy.untimed;
    },
    holdsByCall,
    givenUp,
    get holds() {
      return proxy.holds;
    },
    get webhooks() {
      return proxy.webhooks;
    },
    setTarget: (p) => {
      targetPort = p;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
