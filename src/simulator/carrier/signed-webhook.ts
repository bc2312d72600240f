import twilio from 'twilio';

/**
 * POSTs a form to the application exactly as Twilio does: form-encoded, with
 * X-Twilio-Signature computed from the account's auth token, the URL and the sorted parameters.
 */
export async function postSignedWebhook(
  authToken: string,
  url: string,
  params: Record<string, string>,
  timeoutMs = 15_000,
): Promise<{ status: number; body: string }> {
  const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1 (switchboard-carrier-simulator)',
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await response.text() };
}
