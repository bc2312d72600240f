import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
