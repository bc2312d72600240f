import { ApplicationFailure } from '@temporalio/common';
import { findOwnedCall, insertOnce } from '../src/db/call-events';
import { applyPronunciations } from '../src/telephony/pronunciation';
import type { CarrierCredentials, PlaceCallRequest, ProviderCall } from '../src/telephony/provider';
import { hangupTwiml } from '../src/telephony/twiml';
import type { SpeechSettings } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface PlaceCallInput extends Omit<PlaceCallRequest, 'credentials'> {
  orgId: string;
  attempt: number;
  encryptedKey: string | null;
  /** The dial also records the call as `allocated`, with this event (one write instead of an activity of its own). */
  allocatedEvent?: string;
}

export interface CallControlInput {
  orgId: string;
  providerCallSid: string;
}

/** Remembered per process, so hang-ups and redirects on a BYOT call use its account without a lookup. */
const accountOfCallSid = new Map<string, CarrierCredentials>();
const REMEMBER_MAX = 20_000;

function remember(sid: string, credentials: CarrierCredentials | null): void {
  if (!credentials) return;
  if (accountOfCallSid.size >= REMEMBER_MAX) accountOfCallSid.delete(accountOfCallSid.keys().next().value!);
  accountOfCallSid.set(sid, credentials);
}

export function createTelephonyActivities({ db, telephony, carrierAccounts }: Pick<ActivityDeps, 'db' | 'telephony' | 'carrierAccounts'>) {
  /** The call's own carrier account (encrypted_key), resolved once at the dial; null is the server's account. */
  async function dialCredentials(input: PlaceCallInput, storedAccountId: string | undefined): Promise<{ accountId: string | null; credentials: CarrierCredentials | null }> {
    if (storedAccountId) {
      // A retried dial keeps the account it started with, even if the key was disabled since.
      const credentials = await carrierAccounts?.byId(input.orgId, storedAccountId);
      if (credentials) return { accountId: storedAccountId, credentials };
    }
    if (!input.encryptedKey) return { accountId: null, credentials: null };
    const resolved = await carrierAccounts?.resolve(input.orgId, input.encryptedKey);
    if (!resolved) {
      throw ApplicationFailure.nonRetryable('encrypted_key is unknown or was disabled before the call was dialled.', 'CarrierAccountMissing');
    }
    return resolved;
  }

  /**
   * Credentials for a live call the workflow controls by SID. After a worker restart the memory is
   * empty; then the call's record says whether it used its own account (a scan, but only on
   * REST hang-ups and redirects, never per turn).
   */
  async function controlCredentials({ orgId, providerCallSid }: CallControlInput): Promise<CarrierCredentials | null> {
    const known = accountOfCallSid.get(providerCallSid);
    if (known) return known;
    const call = (await db.collections.calls.findOne(
      { provider_call_sid: providerCallSid, org_id: orgId },
      { projection: { carrier_account_id: 1 } },
    )) as { carrier_account_id?: string | null } | null;
    const accountId = call?.carrier_account_id;
    if (!accountId) return null;
    const credentials = (await carrierAccounts?.byId(orgId, accountId)) ?? null;
    remember(providerCallSid, credentials);
    return credentials;
  }

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
      const stored = (existing as { carrier_account_id?: string | null }).carrier_account_id ?? undefined;
      const { accountId, credentials } = await dialCredentials(input, stored);
      if (existing.provider_call_sid && existing.dial_attempt === input.attempt) {
        remember(existing.provider_call_sid, credentials);
        return telephony.fetchCall(existing.provider_call_sid, credentials);
      }
      if (existing.dialing_since && existing.dial_attempt === input.attempt) {
        const [lost] = await telephony.findCallsTo(input.to, existing.dialing_since, credentials);
        if (lost) {
          await db.collections.calls.updateOne(filter, { $set: { provider_call_sid: lost.providerCallSid } });
          remember(lost.providerCallSid, credentials);
          return lost;
        }
      }
      await db.collections.calls.updateOne(filter, {
        $set: {
          dial_attempt: input.attempt, dialing_since: new Date(Date.now() - 1000), provider_call_sid: null, carrier_account_id: accountId,
          ...(input.allocatedEvent ? { queue_status: 'allocated' } : {}),
        } as Record<string, unknown>,
      });
      if (input.allocatedEvent) {
        await insertOnce(db.collections.callEvents, [
          { _id: `${input.callId}:dial:${input.attempt}`, org_id: input.orgId, call_id: input.callId, level: 'call', category: 'info', message: input.allocatedEvent, timestamp: new Date() },
        ]);
      }
      const { orgId: _orgId, attempt: _attempt, encryptedKey: _encryptedKey, allocatedEvent: _allocated, ...request } = input;
      const placed = await telephony.placeCall({ ...request, credentials });
      remember(placed.providerCallSid, credentials);
      await db.collections.calls.updateOne(filter, {
        $set: { provider_call_sid: placed.providerCallSid, simulated: telephony.simulated },
      });
      // The caller ID's last use (GET /v1/outbound); a number that is not the organisation's matches nothing.
      await db.collections.inboundNumbers.updateOne({ _id: input.from, org_id: input.orgId }, { $set: { last_initiated: new Date() } });
      return placed;
    },

    async hangUpCall(input: CallControlInput): Promise<void> {
      await telephony.hangUp(input.providerCallSid, await controlCredentials(input));
    },

    /** Speaks a message on the live call and hangs up (a voicemail left after the beep). */
    async speakAndHangUp(input: CallControlInput & { text: string; speech: SpeechSettings }): Promise<void> {
      const spoken = applyPronunciations(input.text, input.speech.pronunciations);
      await telephony.updateTwiml(input.providerCallSid, hangupTwiml(spoken, input.speech), await controlCredentials(input));
    },
  };
}
