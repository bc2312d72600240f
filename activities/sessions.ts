import { ApplicationFailure } from '@temporalio/common';
import { SecretBoxError } from '../src/crypto/secret-box';
import { openSipAuth, type SipAuth } from '../src/trunks/credentials';
import type { BridgeSessionDoc } from '../src/sessions/types';
import { sessionWebhookUrl } from '../src/sessions/webhooks';
import type { CarrierCredentials, ProviderCall } from '../src/telephony/provider';
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

/** The carrier account a session's legs are placed with: its trunk's own, or the server's (null). An own account that is gone fails for good. */
async function sessionCredentials(deps: Pick<ActivityDeps, 'carrierAccounts'>, doc: Pick<BridgeSessionDoc, '_id' | 'org_id' | 'account_id'>): Promise<CarrierCredentials | null> {
  if (!doc.account_id) return null;
  const credentials = deps.carrierAccounts ? await deps.carrierAccounts.byId(doc.org_id, doc.account_id) : null;
  if (!credentials) throw ApplicationFailure.nonRetryable(`session ${doc._id}: its trunk's carrier account is no longer available`, 'CarrierAccountMissing');
  return credentials;
}

export function createSessionActivities({ db, telephony, trunkSecrets, carrierAccounts }: Pick<ActivityDeps, 'db' | 'telephony' | 'trunkSecrets' | 'carrierAccounts'>) {
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
      const credentials = await sessionCredentials({ carrierAccounts }, doc);
      if (doc.caller_leg.provider_call_sid) return telephony.fetchCall(doc.caller_leg.provider_call_sid, credentials);
      if (doc.caller_leg.dialing_since) {
        const [lost] = await telephony.findCallsTo(input.address, doc.caller_leg.dialing_since, credentials);
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
        credentials,
        sipAuth,
      });
      await sessions().updateOne(filter, { $set: { 'caller_leg.provider_call_sid': placed.providerCallSid } });
      return placed;
    },

    /** Hangs up a session's caller leg, through the account that placed it. */
    async hangUpSessionLeg(input: { orgId: string; providerCallSid: string }): Promise<void> {
      const doc = await sessions().findOne({ org_id: input.orgId, 'caller_leg.provider_call_sid': input.providerCallSid }, { projection: { _id: 1, org_id: 1, account_id: 1 } });
      await telephony.hangUp(input.providerCallSid, doc ? await sessionCredentials({ carrierAccounts }, doc) : null);
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
