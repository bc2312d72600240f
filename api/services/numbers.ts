import { isDuplicateKeyError } from '../../src/db/database';
import { INBOUND_AGENT_FIELDS, type InboundAgentConfig, type InboundNumberDoc } from '../../src/numbers/types';
import { inboundNumberWebhooks } from '../../src/numbers/webhooks';
import { mask } from '../../src/phone';
import { CarrierRequestError, type CarrierCredentials } from '../../src/telephony/provider';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, conflict, notFound } from '../errors';
import { resolveCallPathway } from './call-pathway';
import { resolveCallExtras } from './call-tools';
import { resolveCarrierVoice } from './voices';
import { removeLookup } from '../../src/inbound/lookup-store';

const SEARCH_LIMIT = 20;
const NUMBER_NOT_FOUND = 'Inbound number not found.';

export interface OwnAccount {
  accountId: string;
  credentials: CarrierCredentials;
}

/** The own Twilio account behind an encrypted_key header, or a 400 in the words Send Call uses. */
export async function resolveOwnAccount(deps: ApiDeps, orgId: string, encryptedKey: string): Promise<OwnAccount> {
  const resolved = deps.carrierAccounts ? await deps.carrierAccounts.resolve(orgId, encryptedKey) : null;
  if (!resolved) throw badRequest(['encrypted_key is not a valid, active key of this organisation (POST /v1/accounts creates one).'], 'Invalid encrypted_key');
  return resolved;
}

/** A carrier's refusal is the caller's to fix (400); a carrier that failed or could not be reached is a 502. */
function carrierFailure(err: unknown, doing: string): never {
  if (err instanceof CarrierRequestError) {
    if (err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
      throw badRequest([`The carrier refused to ${doing}: ${err.message}`], `The carrier refused to ${doing}.`);
    }
    throw new ApiError(502, `The carrier could not ${doing}; try again.`);
  }
  throw err;
}

async function atCarrier<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return carrierFailure(err, doing);
  }
}

/** The settings a request sets (values) and clears (null), with Send Call's numeric-string max_duration as a number. */
function agentChanges(body: Record<string, unknown>): { set: InboundAgentConfig; cleared: string[] } {
  const set: InboundAgentConfig = {};
  const cleared: string[] = [];
  for (const field of INBOUND_AGENT_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (value === null) cleared.push(field);
    else set[field] = field === 'max_duration' && typeof value === 'string' ? Number(value) : value;
  }
  return { set, cleared };
}

/** What Send Call checks before anything is stored: the pathway exists, tool ids are the organisation's, tool and dynamic_data definitions are valid. */
async function checkAgent(deps: ApiDeps, orgId: string, set: InboundAgentConfig): Promise<void> {
  if (typeof set.pathway_id === 'string') await resolveCallPathway(deps, orgId, { pathway_id: set.pathway_id });
  await resolveCallExtras(deps, orgId, { tools: set.tools, dynamic_data: set.dynamic_data });
  await resolveCarrierVoice(deps, orgId, set.voice);
}

/**
 * Buys a number on the server's carrier account and stores it as the organisation's. The number
 * is stored only once the carrier has sold it; if storing then fails, it is released again, so a
 * failed purchase leaves nothing behind on either side.
 */
export async function purchaseNumber(
  deps: ApiDeps,
  orgId: string,
  req: { phoneNumber: string | null; areaCode: string | null; countryCode: string | null; body: Record<string, unknown> },
): Promise<InboundNumberDoc> {
  const { set } = agentChanges(req.body);
  await checkAgent(deps, orgId, set);
  const numbers = deps.db.collections.inboundNumbers;
  let wanted = req.phoneNumber;
  if (wanted) {
    if (await numbers.findOne({ _id: wanted }, { projection: { _id: 1 } })) throw conflict(`${wanted} is already an inbound number.`);
  } else {
    const country = req.countryCode ?? 'US';
    const areaCode = req.areaCode ?? (country === 'US' ? '415' : null);
    const offered = await atCarrier('search for numbers', () => deps.telephony.searchAvailableNumbers({ country, areaCode, limit: SEARCH_LIMIT }, null));
    const taken = new Set((await numbers.find({ _id: { $in: offered } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    wanted = offered.find((n) => !taken.has(n)) ?? null;
    if (!wanted) throw badRequest([`No numbers are available${areaCode ? ` in area code ${areaCode}` : ''} in ${country}.`], 'No numbers available.');
  }
  const phoneNumber = wanted;
  const bought = await atCarrier('sell the number', () => deps.telephony.buyNumber(phoneNumber, inboundNumberWebhooks(deps.publicBaseUrl), null));
  const now = new Date();
  const doc: InboundNumberDoc = {
    _id: bought.phoneNumber,
    org_id: orgId,
    phone_number: bought.phoneNumber,
    source: 'purchased',
    provider_sid: bought.sid,
    account_sid: bought.accountSid,
    carrier_account_id: null,
    agent: set,
    created_at: now,
    updated_at: now,
    last_initiated: null,
  };
  try {
    await numbers.insertOne(doc);
  } catch (err) {
    await deps.telephony.releaseNumber(bought.sid, null).catch((releaseErr: unknown) => {
      deps.logger.error({ err: releaseErr, phone_number: mask(bought.phoneNumber) }, 'A purchased number could not be stored nor released; release it at the carrier.');
    });
    if (isDuplicateKeyError(err)) throw conflict(`${bought.phoneNumber} is already an inbound number.`);
    throw err;
  }
  return doc;
}

/**
 * Adds numbers an own Twilio account holds. Each is checked against the account's numbers at the
 * carrier, stored, then pointed at this API; one already stored (by any organisation) or not
 * held by the account is left out. A number whose carrier update fails is removed again.
 */
export async function insertOwnNumbers(deps: ApiDeps, orgId: string, encryptedKey: string, wanted: string[]): Promise<string[]> {
  const account = await resolveOwnAccount(deps, orgId, encryptedKey);
  const held = await atCarrier("list the account's numbers", () => deps.telephony.listOwnedNumbers(null, account.credentials));
  const bySid = new Map(held.map((n) => [n.phoneNumber, n]));
  const numbers = deps.db.collections.inboundNumbers;
  const webhooks = inboundNumberWebhooks(deps.publicBaseUrl);
  const inserted: string[] = [];
  for (const phoneNumber of [...new Set(wanted)]) {
    const owned = bySid.get(phoneNumber);
    if (!owned) continue;
    const now = new Date();
    try {
      await numbers.insertOne({
        _id: phoneNumber,
        org_id: orgId,
        phone_number: phoneNumber,
        source: 'own_account',
        provider_sid: owned.sid,
        account_sid: owned.accountSid,
        carrier_account_id: account.accountId,
        agent: {},
        created_at: now,
        updated_at: now,
        last_initiated: null,
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) continue;
      throw err;
    }
    try {
      await deps.telephony.configureNumber(owned.sid, webhooks, account.credentials);
    } catch (err) {
      await numbers.deleteOne({ _id: phoneNumber, org_id: orgId });
      carrierFailure(err, `point ${phoneNumber} at this API`);
    }
    inserted.push(phoneNumber);
  }
  return inserted;
}

/** The organisation's number, optionally only if it belongs to the own account named by encrypted_key; 404 otherwise. */
export async function findOwnNumber(deps: ApiDeps, orgId: string, phoneNumber: string, encryptedKey: string | undefined): Promise<InboundNumberDoc> {
  const accountId = encryptedKey ? (await resolveOwnAccount(deps, orgId, encryptedKey)).accountId : undefined;
  const doc = await deps.db.collections.inboundNumbers.findOne({ _id: phoneNumber });
  if (!doc || doc.org_id !== orgId || (accountId !== undefined && doc.carrier_account_id !== accountId)) throw notFound(NUMBER_NOT_FOUND);
  return doc;
}

/**
 * Update Inbound Details: sets and clears agent settings. After the change the agent needs a
 * prompt or a pathway (the seed's required `prompt`), as a call does.
 */
export async function updateInboundAgent(
  deps: ApiDeps,
  orgId: string,
  phoneNumber: string,
  encryptedKey: string | undefined,
  body: Record<string, unknown>,
): Promise<InboundNumberDoc> {
  const doc = await findOwnNumber(deps, orgId, phoneNumber, encryptedKey);
  const { set, cleared } = agentChanges(body);
  const merged: InboundAgentConfig = { ...doc.agent, ...set };
  for (const field of cleared) delete merged[field as keyof InboundAgentConfig];
  if (!merged.prompt && !merged.pathway_id) throw badRequest(['Missing required parameter: prompt.']);
  await checkAgent(deps, orgId, set);
  const updated = await deps.db.collections.inboundNumbers.findOneAndUpdate(
    { _id: doc._id, org_id: orgId },
    { $set: { agent: merged, updated_at: new Date() } },
    { returnDocument: 'after' },
  );
  if (!updated) throw notFound(NUMBER_NOT_FOUND);
  return updated;
}

/**
 * Removes a number. An own account's number (encrypted_key) leaves this API only: the account
 * keeps it, as the seed says ("deleted from database"). A purchased number goes back to the
 * carrier first, then its record; a failed release keeps the record, so it can be tried again.
 */
export async function deleteInboundNumber(deps: ApiDeps, orgId: string, phoneNumber: string, encryptedKey: string | undefined): Promise<void> {
  const doc = await findOwnNumber(deps, orgId, phoneNumber, encryptedKey);
  if (doc.source === 'own_account' && !encryptedKey) {
    throw badRequest(['encrypted_key is required to delete a number of your own Twilio account.'], 'Missing encrypted key');
  }
  if (doc.source === 'purchased') {
    await atCarrier('release the number', async () => {
      try {
        await deps.telephony.releaseNumber(doc.provider_sid, null);
      } catch (err) {
        // Released already (by an earlier attempt whose record delete failed, or at the carrier's console).
        if (!(err instanceof CarrierRequestError && err.status === 404)) throw err;
      }
    });
  }
  await deps.db.collections.inboundNumbers.deleteOne({ _id: doc._id, org_id: orgId });
  // Its lookup source goes with it (a number added again starts without one either way).
  await removeLookup(deps, doc);
}
