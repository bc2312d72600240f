import type { ResolvedCallConfig } from '../../src/calls/call-config';
import type { ApiDeps } from '../deps';
import { badRequest } from '../errors';
import { resolveCallPathway } from './call-pathway';
import { resolveCallExtras } from './call-tools';
import { urlCheck } from './outbound';

/**
 * Checks and resolves what a Send Call body (or a batch's call parameters) refers to: the
 * `encrypted_key` carrier account, tools, dynamic_data and the pathway. Any problem is a 4xx
 * before anything is stored or started.
 */
export async function resolveCallConfig(
  deps: ApiDeps,
  orgId: string,
  body: Record<string, unknown>,
  encryptedKey: string | null,
): Promise<ResolvedCallConfig> {
  // A per-request carrier account must exist, be live and be this organisation's.
  if (encryptedKey !== null && !(await deps.carrierAccounts?.resolve(orgId, encryptedKey))) {
    throw badRequest(['encrypted_key is not a valid, active key of this organisation (POST /v1/accounts creates one).'], 'Invalid encrypted_key');
  }
  // The webhook is checked as every user-chosen URL is; the worker's guard checks it again when it is sent.
  const webhookProblem = body.webhook === undefined || body.webhook === null ? null : urlCheck(deps)(body.webhook, 'webhook');
  if (webhookProblem) throw badRequest([webhookProblem]);
  const extras = await resolveCallExtras(deps, orgId, body);
  const pathway = await resolveCallPathway(deps, orgId, body);
  return { ...extras, ...(pathway ? { pathway } : {}) };
}
