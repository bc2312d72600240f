import RequestClient from 'twilio/lib/base/RequestClient';

/**
 * A twilio.RequestClient that sends every REST request of the official SDK to another host.
 * This is how the carrier simulator is reached: same SDK, same requests, different host;
 * there is no second code path.
 */
export class RewritingRequestClient extends RequestClient {
  constructor(private readonly targetBaseUrl: string) {
    super({ keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri);
    const target = new URL(original.pathname + original.search, this.targetBaseUrl);
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}
