import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { callWorkflowId } from '../../src/ids';
import type { ApiDeps } from '../deps';
import { type GatewayVoice, WebConnection } from './connection';
import { CLOSE, WEB_LIMITS } from './frames';
import { openWebSession, resumeWebSession, SessionRefused, type WebChannelSettings } from './sessions';

/** The browser channel's one URL: ws://<host>/v1/agents/{agent_id}/session?token=... or ?resume=... */
export const WEB_SESSION_PATH = /^\/v1\/agents\/([^/]{1,100})\/session$/;

/** How long a closing handshake may take when the API stops. */
const CLOSE_HANDSHAKE_MS = 2_000;

/** Frames a browser may send before its call is ready; more is a flood. */
const MAX_EARLY_FRAMES = 8;

export interface WebChannelDeps {
  api: ApiDeps;
  settings: WebChannelSettings;
  /** Speech in and out; absent or disabled: audio frames are answered with voice_unavailable. */
  voice?: GatewayVoice;
}

export interface WebChannel {
  /** Closes every socket with 1001 (going away): their calls wait out the grace period for a resume elsewhere. */
  close(): Promise<void>;
}

/**
 * Serves the browser channel on the API's HTTP server: WebSocket upgrades on the session URL.
 * Refusals (token missing, used, expired or another agent's; agent not found; too many sessions;
 * a resume that is unknown or too late) accept the upgrade and close at once with the code and
 * reason docs/web-agents.md lists, before any call is stored or started (a browser cannot read
 * an HTTP refusal of an upgrade). Every other upgrade is answered 404.
 */
export function attachWebChannel(server: Server, deps: WebChannelDeps): WebChannel {
  // Binary (audio) frames are the largest; a text frame's own limit is checked per frame (1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: WEB_LIMITS.maxAudioFrameBytes, perMessageDeflate: false });
  const { logger } = deps.api;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer that resets mid-handshake must not take the process down.
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      url = new URL('http://localhost/');
    }
    const match = WEB_SESSION_PATH.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"status":"error","message":"Not found."}');
      return;
    }
    let agentId: string;
    try {
      agentId = decodeURIComponent(match[1]!);
    } catch {
      // Malformed percent-encoding: no agent has such an id.
      agentId = '';
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      void join(ws, agentId, url.searchParams).catch((err: unknown) => {
        logger.error({ err }, 'web session failed');
        if (ws.readyState === ws.OPEN) ws.close(CLOSE.serverError, 'Server error.');
      });
    });
  });

  async function join(ws: WebSocket, agentId: string, params: URLSearchParams): Promise<void> {
    // Frames that arrive while the call is being set up wait (a few, in order).
    const early: Array<{ data: RawData; isBinary: boolean }> = [];
    const hold = (data: RawData, isBinary: boolean) => {
      if (early.length >= MAX_EARLY_FRAMES) ws.close(CLOSE.flooding, 'Too many frames before the session started.');
      else early.push({ data, isBinary });
    };
    ws.on('message', hold);
    ws.on('error', (err) => logger.warn({ err }, 'web socket error'));
    const resume = params.get('resume');
    let call;
    try {
      if (resume) {
        const { doc, connection, resumeToken } = await resumeWebSession(deps.api, deps.settings, agentId, resume);
        const agent = await deps.api.db.collections.agents.findOne({ _id: agentId, org_id: doc.org_id }, { projection: { voice: 1 } });
        const lastSeq = Number(params.get('last_seq') ?? '-1');
        call = {
          callId: doc.call_id, orgId: doc.org_id, agentId, agentVoice: agent?.voice ?? null, resumeToken, connection,
          afterSeq: Number.isInteger(lastSeq) && lastSeq >= -1 ? lastSeq : -1,
        };
      } else {
        const opened = await openWebSession(deps.api, deps.settings, agentId, params.get('token'));
        call = {
          callId: opened.doc.call_id, orgId: opened.doc.org_id, agentId, agentVoice: opened.agent.voice, resumeToken: opened.resumeToken,
          connection: opened.doc.web_connection, afterSeq: -1,
        };
      }
    } catch (err) {
      if (err instanceof SessionRefused) return void ws.close(err.code, err.message.slice(0, 120));
      throw err;
    }
    if (ws.readyState !== ws.OPEN) {
      // Gone while the call was set up: the workflow's grace period ends a call nobody joins.
      return;
    }
    ws.off('message', hold);
    const handle = deps.api.temporal.workflow.getHandle(callWorkflowId(call.callId));
    const connection = new WebConnection(ws, { ...call, handle }, deps.voice, logger);
    await connection.run(early);
  }

  return {
    close: async () => {
      for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'The server is restarting; resume the session.');
      // A client that does not answer the closing handshake promptly is cut off, so the HTTP server can close.
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_HANDSHAKE_MS).unref())]);
      for (const ws of wss.clients) ws.terminate();
    },
  };
}
