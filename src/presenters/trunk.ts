import { z } from 'zod';
import { TRUNK_TRANSPORTS, type TrunkDoc } from '../trunks/types';

export const TrunkSchema = z.object({
  trunk_id: z.string().describe('TR- followed by 24 hex digits'),
  name: z.string().describe('What POST /sessions names in `trunk`'),
  host: z.string().describe('The SIP domain or address the legs are sent to (host or host:port)'),
  transport: z.enum(TRUNK_TRANSPORTS),
  created_at: z.string(),
});

export const trunkView = (d: TrunkDoc): z.infer<typeof TrunkSchema> => ({
  trunk_id: d._id,
  name: d.name,
  host: d.host,
  transport: d.transport,
  created_at: d.created_at.toISOString(),
});
