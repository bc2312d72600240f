import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { connectTemporal } from '../../src/temporal/connection';

jest.setTimeout(60_000);

/** A TCP hop in front of Temporal that can drop every connection through it, as a lost server would. */
async function droppableProxy(target: string): Promise<{ address: string; drop(): void; close(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    drop,
    close: () => {
      drop();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the Temporal client connection, closed while a call is in flight', () => {
  it('ends the call with an error instead of retrying it on the closed channel', async () => {
    const proxy = await droppableProxy(process.env.TEMPORAL_ADDRESS!);
    const temporal = await connectTemporal(proxy.address, 'default', { apiKey: undefined, tls: false });
    try {
      // A workflow that no worker ever runs: waiting for its result is a long poll that stays open.
      const handle = await temporal.client.workflow.start('neverRun', {
        taskQueue: `nobody-${randomBytes(4).toString('hex')}`,
        workflowId: `temporal-close-${randomBytes(4).toString('hex')}`,
        workflowExecutionTimeout: '1 minute',
      });
      const outcome = handle.result().then(
        () => 'resolved',
        (err: unknown) => `rejected: ${(err as Error).message}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The poll fails UNAVAILABLE, which the SDK retries from a timer: the connection closes meanwhile.
      proxy.drop();
      await temporal.close();
      // Before the fix, the retry threw "Channel has been shut down" from its timer and this never settled.
      await expect(outcome).resolves.toMatch(/^rejected: /);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a call started after the close with an error its caller can catch', async () => {
    const temporal = await connectTemporal(process.env.TEMPORAL_ADDRESS!, 'default', { apiKey: undefined, tls: false });
    await temporal.close();
    await expect(temporal.client.workflow.getHandle('temporal-close-none').describe()).rejects.toThrow();
  });
});
