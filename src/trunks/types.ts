import type { Collection } from 'mongodb';

/**
 * A SIP trunk an organisation names in POST /sessions (`trunk`): the SIP peer (a PBX or a carrier's
 * SIP domain) the session's legs are sent to. Managed at /v1/trunks.
 */
export const TRUNK_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type TrunkTransport = (typeof TRUNK_TRANSPORTS)[number];

export interface TrunkDoc {
  /** `TR-` and 24 hex digits. */
  _id: string;
  org_id: string;
  /** Unique in the organisation; what POST /sessions names (1-64 characters, the seed's `trunk`). */
  name: string;
  /** The SIP domain or address the legs' INVITEs go to: host, or host:port. */
  host: string;
  transport: TrunkTransport;
  /** Digest credentials the legs present to the trunk: both or neither. */
  username?: string | null;
  /** Sealed (src/trunks/credentials.ts), never in clear, never returned. */
  password?: string | null;
  /** The From user parts a session through this trunk may present; absent or null: any. */
  allowed_caller_ids?: string[] | null;
  /** The organisation's carrier account (sha256 of its `encrypted_key`, as the accounts collection keys it); null: the server's. */
  account_id?: string | null;
  created_at: Date;
}

export const TRUNK_NAME_MAX = 64;
export const TRUNK_HOST_MAX = 253;
/** A host name or IPv4 address, and an optional port: nothing that could close or extend a SIP URI. */
export const TRUNK_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3}))?$/;
export const TRUNK_USERNAME_MAX = 128;
export const TRUNK_PASSWORD_MAX = 128;
export const TRUNK_ALLOWED_CALLER_IDS_MAX = 100;
export const TRUNK_ID = /^TR-[0-9a-f]{24}$/;

export async function ensureTrunkIndexes(trunks: Collection<TrunkDoc>): Promise<void> {
  await trunks.createIndex({ org_id: 1, name: 1 }, { unique: true });
}
