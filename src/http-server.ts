import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface RunningServer {
  url: string;
  /** The Node server, for protocol upgrades (the browser channel's WebSockets). */
  http: Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // Longer than common proxies' idle timeout, so they never reuse a socket we are closing.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerUnparsable);
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    http: server,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** How long the rest of an unparsable request is read and dropped before its connection is closed. */
const DRAIN_MS = 1_000;

/** Node's parse and timeout errors → the status Node itself would send, with a message in Bland's words. */
const UNPARSABLE: Record<string, { status: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: '431 Request Header Fields Too Large', message: 'The request line and headers are too large (at most 16 KiB).' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: '408 Request Timeout', message: 'The request was not received in time.' },
};
const MALFORMED = { status: '400 Bad Request', message: 'The request could not be parsed as HTTP.' };

/**
 * A request Node cannot take, before any route sees it: a request line and headers over Node's
 * 16 KiB (431), a request not received within the server's request timeout (408), or a malformed
 * request (400). Node's own answer closes the socket at once, so a client still sending its body
 * gets a reset instead of the answer. Here the answer is in Bland's error shape, and the rest of the
 * request is read and dropped for up to DRAIN_MS before the close.
 */
export function answerUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const { status, message } = (err.code && UNPARSABLE[err.code]) || MALFORMED;
  const body = JSON.stringify({ status: 'error', message, errors: [message] });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.on('error', () => socket.destroy());
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}
