import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import type { Stack } from './stack';

/** The restaurant example with its webhook pointed at `bookingUrl`. */
export function restaurantPathway(bookingUrl: string): { name: string; nodes: Array<Record<string, any>>; edges: unknown[] } {
  const p = JSON.parse(readFileSync(join(__dirname, '../../examples/restaurant-reservation.json'), 'utf8'));
  for (const n of p.nodes) if (n.type === 'Webhook') n.data.url = bookingUrl;
  return p;
}

export async function createPathway(stack: Stack, graph: { name: string; nodes: unknown[]; edges: unknown[] }, apiKey = stack.org.apiKey): Promise<string> {
  const created = await request(stack.apiUrl).post('/v1/pathway/create').set('authorization', apiKey).send({ name: graph.name });
  if (created.status !== 200) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.pathway_id as string;
  const saved = await request(stack.apiUrl).post(`/v1/pathway/${id}`).set('authorization', apiKey).send({ nodes: graph.nodes, edges: graph.edges });
  if (saved.status !== 200) throw new Error(`save: ${saved.status} ${JSON.stringify(saved.body)}`);
  return id;
}

export interface BookingServer {
  url: string;
  requests: Array<{ method: string; body: any }>;
  /** Decides each booking; default: booked with code BV-<n>. */
  answer: (body: any) => { status: number; json: unknown };
  close(): Promise<void>;
}

/** A local booking service for the example's webhook node; it records every request body. */
export async function startBookingServer(): Promise<BookingServer> {
  const srv: BookingServer = {
    url: '',
    requests: [],
    answer: () => ({ status: 200, json: { reserved: true, confirmation: `BV-${srv.requests.length}` } }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      srv.requests.push({ method: req.method ?? '', body });
      const { status, json } = srv.answer(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  srv.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reservations`;
  return srv;
}
