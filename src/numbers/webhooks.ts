import type { NumberWebhooks } from '../telephony/provider';
import { TWILIO_WEBHOOK_BASE_PATH } from '../telephony/webhook-urls';

/**
 * Where the carrier sends a number's incoming calls: the same voice and status hooks as an
 * outbound call's, without a `call_id` (an incoming call has none until it is answered here).
 */
export function inboundNumberWebhooks(publicBaseUrl: string): NumberWebhooks {
  return {
    voiceUrl: new URL(`${TWILIO_WEBHOOK_BASE_PATH}/voice`, publicBaseUrl).toString(),
    statusCallback: new URL(`${TWILIO_WEBHOOK_BASE_PATH}/status`, publicBaseUrl).toString(),
  };
}
