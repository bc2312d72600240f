import type { CarrierCredentials } from '../../src/telephony/provider';
import type { ApiDeps } from '../deps';

const REMEMBER_MAX = 10_000;

/**
 * The carrier account a call was placed with (encrypted_key), for verifying its webhooks with that
 * account's auth token. Read by bare `_id` (fast on FerretDB) and remembered per process, so a call's
 * turns cost one lookup in all. The webhook's AccountSid must be the account's own.
 */
export function callAccountLookup(deps: Pick<ApiDeps, 'db' | 'carrierAccounts'>) {
  const known = new Map<string, CarrierCredentials>();
  return {
    async forCall(callId: string, accountSid: string | undefined): Promise<CarrierCredentials | null> {
      if (!accountSid || !deps.carrierAccounts) return null;
      let credentials = known.get(callId);
      if (!credentials) {
        const call = (await deps.db.collections.calls.findOne({ _id: callId }, { projection: { org_id: 1, carrier_account_id: 1 } })) as
          | { org_id: string; carrier_account_id?: string | null }
          | null;
        if (!call?.carrier_account_id) return null;
        const found = await deps.carrierAccounts.byId(call.org_id, call.carrier_account_id);
        if (!found) return null;
        credentials = found;
        if (known.size >= REMEMBER_MAX) known.delete(known.keys().next().value!);
        known.set(callId, credentials);
      }
      return credentials.accountSid === accountSid ? credentials : null;
    },
  };
}
