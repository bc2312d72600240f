import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { BSON, MongoClient, type Document } from 'mongodb';

/**
 * The first message a MongoClient sends is its handshake, with a `client` document naming the
 * driver and the OS. A real mongod refuses a handshake without `client.driver`. The driver loads
 * `os` with a dynamic import(), which jest's vm sandbox only allows under
 * `node --experimental-vm-modules` (see the `jest` script in package.json); otherwise it silently
 * sends `client: {}`. This captures the handshake on a bare TCP socket, so it checks what actually
 * goes on the wire whatever store the run uses.
 */

const OP_QUERY = 2004;
const OP_MSG = 2013;

/** The command document of one wire message (OP_QUERY for legacy hello, OP_MSG otherwise). */
function commandOf(message: Buffer): Document {
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) {
    // header(16) flagBits(4) then section kind 0: one BSON document.
    if (message.readUInt8(20) !== 0) throw new Error('expected a body section first');
    return BSON.deserialize(message.subarray(21));
  }
  if (opCode === OP_QUERY) {
    // header(16) flags(4) fullCollectionName(cstring) numberToSkip(4) numberToReturn(4) query.
    const nameEnd = message.indexOf(0, 20);
    return BSON.deserialize(message.subarray(nameEnd + 1 + 8));
  }
  throw new Error(`unexpected opCode ${opCode}`);
}

async function captureHandshake(): Promise<Document> {
  const server = createServer();
  const sockets = new Set<Socket>();
  const first = new Promise<Buffer>((resolve, reject) => {
    server.on('connection', (socket) => {
      sockets.add(socket);
      let buffered = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
          resolve(buffered.subarray(0, buffered.readInt32LE(0)));
        }
      });
    });
    server.on('error', reject);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    serverSelectionTimeoutMS: 2_000,
    connectTimeoutMS: 2_000,
  });
  // Nothing ever answers: the connect fails once we have what we came for.
  const connecting = client.connect().catch(() => undefined);
  try {
    return commandOf(await first);
  } finally {
    for (const socket of sockets) socket.destroy();
    await client.close();
    await connecting;
    server.close();
  }
}

describe('mongodb driver under jest', () => {
  it('sends real client metadata in its handshake', async () => {
    const hello = await captureHandshake();
    expect(hello.hello ?? hello.isMaster ?? hello.ismaster).toBeTruthy();
    expect(hello.client).toEqual(
      expect.objectContaining({
        driver: expect.objectContaining({ name: expect.stringMatching(/^nodejs/), version: expect.any(String) }),
        os: expect.objectContaining({ type: expect.any(String) }),
        platform: expect.any(String),
      }),
    );
  });
});
