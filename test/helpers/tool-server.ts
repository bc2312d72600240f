import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ToolRequest {
  method: string;
  path: string;
  url: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type ToolHandler = (req: ToolRequest, res: http.ServerResponse) => void;

export interface ToolServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  seen: ToolRequest[];
  at(path: string): ToolRequest[];
  /** How to answer at a path; default 200 `{"ok":true}`. */
  on(path: string, handler: ToolHandler): void;
  close(): Promise<void>;
}

export const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

/** A customer's API for tools and dynamic_data, on loopback, recording every request it gets. */
export async function startToolServer(host = '127.0.0.1'): Promise<ToolServer> {
  const seen: ToolRequest[] = [];
  const handlers = new Map<string, ToolHandler>();
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const entry: ToolRequest = {
        method: req.method ?? '', path: u.pathname, url: req.url ?? '', query: Object.fromEntries(u.searchParams), headers: req.headers, body,
      };
      seen.push(entry);
      held.add(res);
      res.on('close', () => held.delete(res));
      (handlers.get(u.pathname) ?? ((_r, out) => json(out, 200, { ok: true })))(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    seen,
    at: (path) => seen.filter((r) => r.path === path),
    on: (path, handler) => handlers.set(path, handler),
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
