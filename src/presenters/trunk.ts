import { z } from 'zod';
import { TRUNK_TRANSPORTS, type TrunkDoc } from '../trunks/types';

export const TrunkSchema = z.object({
  trunk_id: z.string().describe('TR- followed by 24 hex digits'),
  name: z.string().describe('What POST /sessions names in `trunk`'),
  host: z.string().describe('The SIP domain or address the legs are sent to (host or host:port)'),
  transport: z.enum(TRUNK_TRANSPORTS),
  username: z.string().nullable().describe('The SIP digest username, or null'),
  has_password: z.boolean().describe('Whether a SIP digest password is set (it is never returned)'),
  allowed_caller_ids: z.array(z.string()).nullable().describe('The caller IDs sessions through this trunk may present; null: any'),
  has_carrier_account: z.boolean().describe('Whether the trunk names one of the organisation\'s carrier accounts (its `encrypted_key` is never returned)'),
  created_at: z.string(),
});

export const trunkView = (d: TrunkDoc): z.infer<typeof TrunkSchema> => ({
  trunk_id: d._id,
  name: d.name,
  host: d.host,
  transport: d.transport,
  username: d.username ?? null,
  has_password: Boolean(d.password),
  allowed_caller_ids: d.allowed_caller_ids ?? null,
  has_carrier_account: Boolean(d.account_id),
  created_at: d.created_at.toISOString(),
});
