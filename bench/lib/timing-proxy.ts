import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

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
}

export interface TimingProxy {
  url: string;
  samples: TurnSample[];
  /** Turn webhooks that came back without Server-Timing (refused turns, errors). */
  untimed: number;
  setTarget(port: number): void;
  close(): Promise<void>;
}

const TURN_PATH = /^\/v1\/telephony\/twilio\/(voice|gather)\?/;
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
  const proxy = { untimed: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    const started = performance.now();
    const turn = TURN_PATH.exec(req.url ?? '');
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: endToEnd(req.headers), agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        up.pipe(res);
        if (!turn) return;
        res.on('finish', () => {
          const wallMs = performance.now() - started;
          const modelMs = serverTiming(up.headers['server-timing'], 'model');
          const handlerMs = serverTiming(up.headers['server-timing'], 'turn');
          const callId = new URL(req.url ?? '', 'http://x').searchParams.get('call_id') ?? '';
          if (modelMs === undefined || handlerMs === undefined || up.statusCode !== 200) proxy.untimed++;
          else samples.push({ callId, hook: turn[1] as TurnSample['hook'], wallMs, modelMs, handlerMs });
        });
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
    get untimed() {
      return proxy.untimed;
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
