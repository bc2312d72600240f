import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { answerUnparsable } from '../../src/http-server';

/**
 * What a client reads when Node refuses its request before any route (src/http-server.ts): the
 * status Node would send, in Bland's error shape, over a real socket.
 */
describe('answerUnparsable', () => {
  let server: Server;
  let code: string;
  beforeAll(async () => {
    server = createServer((socket) => answerUnparsable(Object.assign(new Error('refused'), { code }), socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function answerTo(errorCode: string): Promise<{ head: string; body: unknown }> {
    code = errorCode;
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('POST /v1/calls HTTP/1.1\r\n');
    let raw = '';
    for await (const chunk of socket) raw += String(chunk);
    const [head, body] = raw.split('\r\n\r\n');
    return { head: head!, body: JSON.parse(body!) };
  }

  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', '408 Request Timeout', /not received in time/],
    ['HPE_HEADER_OVERFLOW', '431 Request Header Fields Too Large', /at most 16 KiB/],
    ['HPE_INVALID_METHOD', '400 Bad Request', /could not be parsed/],
  ])('%s is a %s', async (errorCode, status, message) => {
    const { head, body } = await answerTo(errorCode);
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
    expect(head).toMatch(/\r\nConnection: close/);
    expect(body).toEqual({ status: 'error', message: expect.stringMatching(message), errors: [expect.stringMatching(message)] });
  });
});
