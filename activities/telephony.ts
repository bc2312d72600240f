import type { PlaceCallRequest, ProviderCall } from '../src/telephony/provider';
import type { ActivityDeps } from './deps';

export interface PlaceCallInput extends Omit<PlaceCallRequest, 'credentials'> {
  orgId: string;
  encryptedKey: string | null;
}

export function createTelephonyActivities({ db, telephony }: Pick<ActivityDeps, 'db' | 'telephony'>) {
  return {
    /**
     * Dials once per call ID: the carrier's call SID is written before this returns, and a retry
     * that finds one does not dial again.
     */
    async placeCall(input: PlaceCallInput): Promise<ProviderCall> {
      const existing = await db.collections.calls.findOne(
        { _id: input.callId, org_id: input.orgId },
        { projection: { provider_call_sid: 1 } },
      );
      if (existing?.provider_call_sid) {
        return telephony.fetchCall(existing.provider_call_sid, null);
      }
      const { orgId, encryptedKey: _encryptedKey, ...request } = input;
      // Per-request carrier accounts (encrypted_key) are decrypted here once BYOT storage exists.
      const placed = await telephony.placeCall({ ...request, credentials: null });
      await db.collections.calls.updateOne(
        { _id: input.callId, org_id: orgId },
        { $set: { provider_call_sid: placed.providerCallSid, simulated: telephony.simulated } },
      );
      return placed;
    },

    async hangUpCall({ providerCallSid }: { providerCallSid: string }): Promise<void> {
      await telephony.hangUp(providerCallSid, null);
    },
  };
}
