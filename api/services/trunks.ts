import { randomBytes } from 'node:crypto';
import { isDuplicateKeyError } from '../../src/db/database';
import { TRUNK_ID, type TrunkDoc, type TrunkTransport } from '../../src/trunks/types';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, notFound } from '../errors';

export async function trunkByName(deps: ApiDeps, orgId: string, name: string): Promise<TrunkDoc | null> {
  return deps.db.collections.trunks.findOne({ org_id: orgId, name });
}

export interface CreateTrunkInput {
  name: string;
  host: string;
  transport?: TrunkTransport | null;
  username?: string | null;
  password?: string | null;
  allowed_caller_ids?: string[] | null;
  encrypted_key?: string | null;
}

/** Checks what the schema cannot judge alone (credentials come in pairs, the carrier account is the organisation's), then stores the trunk with its password sealed. */
export async function createTrunk(deps: ApiDeps, orgId: string, body: CreateTrunkInput): Promise<TrunkDoc> {
  const problems: string[] = [];
  if (Boolean(body.username) !== Boolean(body.password)) problems.push('username and password go together: give both (SIP digest credentials) or neither.');
  if (body.password && !deps.trunkSecrets) problems.push('password cannot be stored: this server has no secret store for trunk credentials.');
  let accountId: string | null = null;
  if (body.encrypted_key) {
    const account = await deps.carrierAccounts?.resolve(orgId, body.encrypted_key);
    if (!account) problems.push('encrypted_key is not a valid, active key of this organisation (POST /v1/accounts creates one).');
    else accountId = account.accountId;
  }
  if (problems.length) throw badRequest(problems);
  const _id = `TR-${randomBytes(12).toString('hex')}`;
  const doc: TrunkDoc = {
    _id,
    org_id: orgId,
    name: body.name,
    host: body.host.toLowerCase(),
    transport: body.transport ?? 'udp',
    username: body.username ?? null,
    password: body.password ? deps.trunkSecrets!.seal(orgId, _id, body.password) : null,
    allowed_caller_ids: body.allowed_caller_ids ? [...new Set(body.allowed_caller_ids)] : null,
    account_id: accountId,
    created_at: new Date(),
  };
  try {
    await deps.db.collections.trunks.insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict(`A trunk named ${JSON.stringify(body.name)} already exists.`);
    throw err;
  }
  return doc;
}

/** The organisation's trunk; another organisation's is not found, as an unknown one. */
export async function ownTrunk(deps: ApiDeps, orgId: string, trunkId: string): Promise<TrunkDoc> {
  const doc = TRUNK_ID.test(trunkId) ? await deps.db.collections.trunks.findOne({ _id: trunkId }) : null;
  if (!doc || doc.org_id !== orgId) throw notFound('Trunk not found.');
  return doc;
}

export async function deleteTrunk(deps: ApiDeps, orgId: string, trunkId: string): Promise<void> {
  const doc = await ownTrunk(deps, orgId, trunkId);
  await deps.db.collections.trunks.deleteOne({ _id: doc._id, org_id: orgId });
}
