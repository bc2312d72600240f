/** The telephony webhook routes, shared by the provider (which registers them) and the API (which serves them). */
export const TWILIO_WEBHOOK_BASE_PATH = '/v1/telephony/twilio';

export type TwilioWebhook = 'voice' | 'gather' | 'continue' | 'turn-wait' | 'status' | 'amd' | 'recording' | 'dial-status';

export function twilioWebhookUrl(baseUrl: string, hook: TwilioWebhook, callId: string): string {
  const url = new URL(`${TWILIO_WEBHOOK_BASE_PATH}/${hook}`, baseUrl);
  url.searchParams.set('call_id', callId);
  return url.toString();
}
