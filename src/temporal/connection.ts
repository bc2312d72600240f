import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

export interface TemporalClients {
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

export interface TemporalAuth {
  apiKey: string | undefined;
  tls: boolean;
}

/** What an interceptor hands on: the next call of the chain. */
type NextCall = ConstructorParameters<typeof InterceptingCall>[0];

const CLOSED_DETAILS = 'The Temporal connection is closed.';

/**
 * A call that never reaches the network: it ends at once, UNAVAILABLE, as a call on a lost server
 * would. As grpc-js does for a unary call that fails, it hands on an empty message before the status
 * (the SDK's retry interceptor passes that message on when it gives up).
 */
function closedCall(): NextCall {
  return {
    start: (_metadata, listener) => {
      setImmediate(() => {
        listener?.onReceiveMessage?.(null);
        listener?.onReceiveStatus?.({ code: status.UNAVAILABLE, details: CLOSED_DETAILS, metadata: new Metadata() });
      });
    },
    cancelWithStatus: () => undefined,
    getPeer: () => '',
    sendMessageWithContext: () => undefined,
    sendMessage: () => undefined,
    startRead: () => undefined,
    halfClose: () => undefined,
    getAuthContext: () => null,
  };
}

/**
 * The SDK's retry of UNAVAILABLE calls (10 attempts, backoff to 5 s), which stops once the connection
 * is closed. A call in flight when the connection closes (a long poll for a workflow's result or an
 * update's outcome) fails UNAVAILABLE; the SDK would retry it from a timer on the closed channel,
 * whose synchronous "Channel has been shut down" nobody can catch. After close, the retry is not
 * attempted and any new attempt ends UNAVAILABLE, so the caller's own promise rejects instead.
 */
function interceptorsUntilClosed(isClosed: () => boolean): Interceptor[] {
  const retry = defaultGrpcRetryOptions();
  return [
    makeGrpcRetryInterceptor({ ...retry, retryableDecider: (attempt, s) => !isClosed() && retry.retryableDecider(attempt, s) }),
    (options, next) => new InterceptingCall(isClosed() ? closedCall() : next(options)),
  ];
}

export async function connectTemporal(address: string, namespace: string, auth: TemporalAuth): Promise<TemporalClients> {
  let closed = false;
  const connection = await Connection.connect({
    address,
    tls: auth.tls,
    ...(auth.apiKey ? { apiKey: auth.apiKey } : {}),
    interceptors: interceptorsUntilClosed(() => closed),
  });
  const client = new Client({ connection, namespace });
  return {
    connection,
    client,
    close: () => {
      closed = true;
      return connection.close();
    },
  };
}
