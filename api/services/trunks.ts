import { randomBytes } from 'node:crypto';
import { isDuplicateKeyError } from '../../src/db/database';
import { TRUNK_ID, type TrunkDoc, type TrunkTransport } from '../../src/trunks/types';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../errors';

export async function trunkByName(deps: ApiDeps, orgId: string, name: string): Promise<TrunkDoc | null> {
  return deps.db.collections.trunks.findOne({ org_id: orgId, name });
}

export async function createTrunk(deps: ApiDeps, orgId: string, body: { name: string; host: string; transport?: TrunkTransport | null }): Promise<TrunkDoc> {
  const doc: TrunkDoc = {
    _id: `TR-${randomBytes(12).toString('hex')}`,
    org_id: orgId,
    name: body.name,
    host: body.host.toLowerCase(),
    transport: body.transport ?? 'udp',
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
