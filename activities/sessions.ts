import { ApplicationFailure } from '@temporalio/common';
import { SecretBoxError } from '../src/crypto/secret-box';
import { openSipAuth, type SipAuth } from '../src/trunks/credentials';
import type { BridgeSessionDoc } from '../src/sessions/types';
import { sessionWebhookUrl } from '../src/sessions/webhooks';
import type { ProviderCall } from '../src/telephony/provider';
import type { ActivityDeps } from './deps';

export interface PlaceSessionLegInput {
  orgId: string;
  sessionId: string;
  address: string;
  from: string;
  webhookBaseUrl: string;
  timeoutSeconds: number;
}

export interface RecordSessionInput {
  orgId: string;
  sessionId: string;
  /** Fields of the record; times as ISO strings (workflow values), stored as dates. */
  set: Record<string, unknown>;
}

const TIME_FIELDS = ['answered_at', 'bridged_at', 'ended_at'];

/** A bridged session's carrier and record work (workflows/session.ts decides; these do). */
/** The caller leg's trunk credentials, opened for this dial only; a password that cannot be opened fails the dial for good. */
function callerSipAuth(deps: Pick<ActivityDeps, 'trunkSecrets'>, doc: BridgeSessionDoc): SipAuth | null {
  try {
    return openSipAuth(deps.trunkSecrets, doc.caller_sip_auth);
  } catch (err) {
    if (err instanceof SecretBoxError || !deps.trunkSecrets) throw ApplicationFailure.nonRetryable(`the trunk's SIP password cannot be opened: ${(err as Error).message}`, 'TrunkCredentialsUnavailable');
    throw err;
  }
}

export function createSessionActivities({ db, telephony, trunkSecrets }: Pick<ActivityDeps, 'db' | 'telephony' | 'trunkSecrets'>) {
  const sessions = () => db.collections.bridgeSessions;
  return {
    /**
     * Dials the caller's leg at most once per session, even across worker crashes: the carrier's
     * SID is stored on the record, and a dial whose answer was lost (a crash between the carrier's
     * answer and the write) is found again by asking the carrier for calls to the leg's address
     * since the marker written before dialling.
     */
    async placeSessionLeg(input: PlaceSessionLegInput): Promise<ProviderCall> {
      const filter = { _id: input.sessionId, org_id: input.orgId };
      const doc = await sessions().findOne(filter);
      if (!doc) throw ApplicationFailure.nonRetryable(`session ${input.sessionId} has no record`, 'SessionRecordMissing');
      if (doc.caller_leg.provider_call_sid) return telephony.fetchCall(doc.caller_leg.provider_call_sid, null);
      if (doc.caller_leg.dialing_since) {
        const [lost] = await telephony.findCallsTo(input.address, doc.caller_leg.dialing_since, null);
        if (lost) {
          await sessions().updateOne(filter, { $set: { 'caller_leg.provider_call_sid': lost.providerCallSid } });
          return lost;
        }
      }
      const sipAuth = callerSipAuth({ trunkSecrets }, doc);
      await sessions().updateOne(filter, { $set: { 'caller_leg.dialing_since': new Date(Date.now() - 1000) } });
      const placed = await telephony.placeBridgeLeg({
        to: input.address,
        from: input.from,
        answerUrl: sessionWebhookUrl(input.webhookBaseUrl, 'answer', input.sessionId),
        statusUrl: sessionWebhookUrl(input.webhookBaseUrl, 'status', input.sessionId),
        timeoutSeconds: input.timeoutSeconds,
        credentials: null,
        sipAuth,
      });
      await sessions().updateOne(filter, { $set: { 'caller_leg.provider_call_sid': placed.providerCallSid } });
      return placed;
    },

    async hangUpSessionLeg(input: { orgId: string; providerCallSid: string }): Promise<void> {
      await telephony.hangUp(input.providerCallSid, null);
    },

    /** Writes a transition; the legs' SIDs and statuses are merged so the dial marker stays. */
    async recordSession(input: RecordSessionInput): Promise<void> {
      const set: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(input.set)) {
        if (key === 'caller_leg' || key === 'callee_leg') {
          const leg = value as { providerCallSid: string | null; status: string | null };
          if (leg.providerCallSid !== null) set[`${key}.provider_call_sid`] = leg.providerCallSid;
          set[`${key}.status`] = leg.status;
        } else {
          set[key] = TIME_FIELDS.includes(key) && typeof value === 'string' ? new Date(value) : value;
        }
      }
      const done = await sessions().updateOne({ _id: input.sessionId, org_id: input.orgId }, { $set: set as Partial<BridgeSessionDoc> });
      if (done.matchedCount === 0) throw ApplicationFailure.nonRetryable(`session ${input.sessionId} has no record`, 'SessionRecordMissing');
    },
  };
}
