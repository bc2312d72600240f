import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { callVariables } from '../src/calls/system-variables';
import { findOwnedCall, insertOnce } from '../src/db/call-events';
import { applyPronunciations } from '../src/telephony/pronunciation';
import { CarrierRequestError, type CarrierCredentials, type PlaceCallRequest, type ProviderCall } from '../src/telephony/provider';
import { hangupTwiml } from '../src/telephony/twiml';
import { TERMINAL_TELEPHONY_STATUSES, type SpeechSettings } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface PlaceCallInput extends Omit<PlaceCallRequest, 'credentials'> {
  orgId: string;
  attempt: number;
  encryptedKey: string | null;
  /** The dial also records the call as `allocated`, with this event (one write instead of an activity of its own). */
  allocatedEvent?: string;
  /**
   * The dial also resolves the call's variables (runs with `variablesInDial`), stores them with its
   * `allocated` write and returns them: one local activity a call instead of two.
   */
  variables?: { timezone: string; requestData: Record<string, unknown> };
}

/** The dial's answer: the carrier's call, and the variables when the dial resolved them. */
export interface PlacedCall extends ProviderCall {
  variables?: Record<string, unknown>;
}

export interface StartRecordingInput {
  orgId: string;
  callId: string;
  providerCallSid: string;
  webhookBaseUrl: string;
}

/** Twilio's "call is not in progress": an incoming leg is in progress once the carrier has its first TwiML. */
const NOT_IN_PROGRESS = 21220;
const RECORDING_START_TRIES = 20;
const RECORDING_START_WAIT_MS = 300;

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

  async function lineIsDown(providerCallSid: string, credentials: CarrierCredentials | null): Promise<boolean> {
    const call = await telephony.fetchCall(providerCallSid, credentials).catch(() => null);
    return call !== null && TERMINAL_TELEPHONY_STATUSES.includes(call.status);
  }

  return {
    /**
     * Dials at most once per attempt, even across worker crashes: the carrier's SID is stored with
     * the attempt number, and a dial whose answer was lost (crash between the carrier's answer and
     * our write) is found again by asking the carrier for calls to that number since the marker.
     */
    async placeCall(input: PlaceCallInput): Promise<PlacedCall> {
      // By bare _id once the organisation is checked: the only fast filter on FerretDB (src/db/call-events.ts).
      const existing = await findOwnedCall(db, input.orgId, input.callId);
      if (!existing) throw ApplicationFailure.nonRetryable(`call ${input.callId} has no record`, 'CallRecordMissing');
      const filter = { _id: input.callId };
      const stored = (existing as { carrier_account_id?: string | null }).carrier_account_id ?? undefined;
      const { accountId, credentials } = await dialCredentials(input, stored);
      const sameAttempt = existing.dial_attempt === input.attempt;
      // A retried dial of the same attempt returns what its first try stored with its `allocated` write.
      const variables = !input.variables
        ? undefined
        : sameAttempt && Object.keys(existing.variables ?? {}).length > 0
          ? existing.variables
          : callVariables({ callId: input.callId, to: input.to, from: input.from, ...input.variables, now: new Date() });
      const withVariables = (call: ProviderCall): PlacedCall => (variables ? { ...call, variables } : call);
      if (existing.provider_call_sid && sameAttempt) {
        remember(existing.provider_call_sid, credentials);
        return withVariables(await telephony.fetchCall(existing.provider_call_sid, credentials));
      }
      if (existing.dialing_since && sameAttempt) {
        const [lost] = await telephony.findCallsTo(input.to, existing.dialing_since, credentials);
        if (lost) {
          await db.collections.calls.updateOne(filter, { $set: { provider_call_sid: lost.providerCallSid } });
          remember(lost.providerCallSid, credentials);
          return withVariables(lost);
        }
      }
      await db.collections.calls.updateOne(filter, {
        $set: {
          dial_attempt: input.attempt, dialing_since: new Date(Date.now() - 1000), provider_call_sid: null, carrier_account_id: accountId,
          ...(input.allocatedEvent ? { queue_status: 'allocated' } : {}),
          ...(variables ? { variables } : {}),
        } as Record<string, unknown>,
      });
      const event = (key: string, message: string, at: number) =>
        ({ _id: `${input.callId}:${key}`, org_id: input.orgId, call_id: input.callId, level: 'call' as const, category: 'info' as const, message, timestamp: new Date(at) });
      const now = Date.now();
      await insertOnce(db.collections.callEvents, [
        ...(variables ? [event(`variables:${input.attempt}`, 'Variables resolved', now)] : []),
        ...(input.allocatedEvent ? [event(`dial:${input.attempt}`, input.allocatedEvent, now + 1)] : []),
      ]);
      const { orgId: _orgId, attempt: _attempt, encryptedKey: _encryptedKey, allocatedEvent: _allocated, variables: _variables, ...request } = input;
      const placed = await telephony.placeCall({ ...request, credentials });
      remember(placed.providerCallSid, credentials);
      await db.collections.calls.updateOne(filter, {
        $set: { provider_call_sid: placed.providerCallSid, simulated: telephony.simulated },
      });
      // The caller ID's last use (GET /v1/outbound); a number that is not the organisation's matches nothing.
      await db.collections.inboundNumbers.updateOne({ _id: input.from, org_id: input.orgId }, { $set: { last_initiated: new Date() } });
      return withVariables(placed);
    },

    /**
     * Records an incoming call that arrived before the API's answer started recordings itself
     * (`<Start><Recording>`; an outbound call is recorded by its dial). Asked for as soon as the
     * caller is answered, which may be a moment before the carrier has run the answer's TwiML and
     * calls the leg in progress: that refusal is tried again for a few seconds, unless the line is
     * already down. Own-account numbers record on their account (the call's `carrier_account_id`).
     * Any other carrier refusal fails for good; the call goes on unrecorded.
     */
    async startRecording(input: StartRecordingInput): Promise<{ recordingSid: string }> {
      let credentials = accountOfCallSid.get(input.providerCallSid) ?? null;
      if (!credentials) {
        const call = (await findOwnedCall(db, input.orgId, input.callId)) as { carrier_account_id?: string | null } | null;
        if (!call) throw ApplicationFailure.nonRetryable(`call ${input.callId} has no record`, 'CallRecordMissing');
        credentials = call.carrier_account_id ? ((await carrierAccounts?.byId(input.orgId, call.carrier_account_id)) ?? null) : null;
        if (call.carrier_account_id && !credentials) {
          throw ApplicationFailure.nonRetryable('The carrier account of the number was removed; the call cannot be recorded.', 'CarrierAccountMissing');
        }
        remember(input.providerCallSid, credentials);
      }
      const request = { callId: input.callId, providerCallSid: input.providerCallSid, webhookBaseUrl: input.webhookBaseUrl, credentials };
      for (let tries = 1; ; tries++) {
        try {
          return await telephony.startRecording(request);
        } catch (err) {
          if (!(err instanceof CarrierRequestError)) throw err;
          const notYet = err.code === NOT_IN_PROGRESS && tries < RECORDING_START_TRIES;
          if (notYet && !(await lineIsDown(input.providerCallSid, credentials))) {
            await sleep(RECORDING_START_WAIT_MS);
            continue;
          }
          // The carrier's 4xx will not get better (a line down, a call it does not know); its 5xx or silence may.
          if (err.status === undefined || err.status >= 500 || err.status === 429) throw err;
          throw ApplicationFailure.nonRetryable(`TelephonyStartRecording: ${err.message}`, 'TelephonyStartRecording', { status: err.status, code: err.code });
        }
      }
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
