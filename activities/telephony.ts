import { ApplicationFailure } from '@temporalio/common';
import { findOwnedCall } from '../src/db/call-events';
import { applyPronunciations } from '../src/telephony/pronunciation';
import type { PlaceCallRequest, ProviderCall } from '../src/telephony/provider';
import { hangupTwiml } from '../src/telephony/twiml';
import type { SpeechSettings } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface PlaceCallInput extends Omit<PlaceCallRequest, 'credentials'> {
  orgId: string;
  attempt: number;
  encryptedKey: string | null;
}

export interface CallControlInput {
  orgId: string;
  providerCallSid: string;
}

export function createTelephonyActivities({ db, telephony }: Pick<ActivityDeps, 'db' | 'telephony'>) {
  return {
    /**
     * Dials at most once per attempt, even across worker crashes: the carrier's SID is stored with
     * the attempt number, and a dial whose answer was lost (crash between the carrier's answer and
     * our write) is found again by asking the carrier for calls to that number since the marker.
     */
    async placeCall(input: PlaceCallInput): Promise<ProviderCall> {
      // By bare _id once the organisation is checked: the only fast filter on FerretDB (src/db/call-events.ts).
      const existing = await findOwnedCall(db, input.orgId, input.callId);
      if (!existing) throw ApplicationFailure.nonRetryable(`call ${input.callId} has no record`, 'CallRecordMissing');
      const filter = { _id: input.callId };
      if (existing?.provider_call_sid && existing.dial_attempt === input.attempt) {
        return telephony.fetchCall(existing.provider_call_sid, null);
      }
      if (existing?.dialing_since && existing.dial_attempt === input.attempt) {
        const [lost] = await telephony.findCallsTo(input.to, existing.dialing_since, null);
        if (lost) {
          await db.collections.calls.updateOne(filter, { $set: { provider_call_sid: lost.providerCallSid } });
          return lost;
        }
      }
      await db.collections.calls.updateOne(filter, {
        $set: { dial_attempt: input.attempt, dialing_since: new Date(Date.now() - 1000), provider_call_sid: null },
      });
      const { orgId: _orgId, attempt: _attempt, encryptedKey: _encryptedKey, ...request } = input;
      // Per-request carrier accounts (encrypted_key) are resolved here once BYOT storage exists.
      const placed = await telephony.placeCall({ ...request, credentials: null });
      await db.collections.calls.updateOne(filter, {
        $set: { provider_call_sid: placed.providerCallSid, simulated: telephony.simulated },
      });
      return placed;
    },

    async hangUpCall({ providerCallSid }: CallControlInput): Promise<void> {
      await telephony.hangUp(providerCallSid, null);
    },

    /** Speaks a message on the live call and hangs up (a voicemail left after the beep). */
    async speakAndHangUp(input: CallControlInput & { text: string; speech: SpeechSettings }): Promise<void> {
      const spoken = applyPronunciations(input.text, input.speech.pronunciations);
      await telephony.updateTwiml(input.providerCallSid, hangupTwiml(spoken, input.speech), null);
    },
  };
}
