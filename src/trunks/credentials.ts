import type { SecretBox } from '../crypto/secret-box';

/**
 * A trunk's SIP digest password, sealed at rest with ENCRYPTION_KEY as the carrier accounts' auth
 * tokens are (AES-256-GCM, bound to the trunk and its organisation, so a sealed value copied to
 * another trunk does not open). The sealed form travels in the session's plan; it is opened only
 * where the carrier is told (the caller's REST dial, the callee's `<Sip>` TwiML).
 */
export interface TrunkSecrets {
  seal(orgId: string, trunkId: string, password: string): string;
  open(orgId: string, trunkId: string, sealed: string): string;
}

/** A leg's credentials as planned: the password still sealed. */
export interface SealedSipAuth {
  username: string;
  sealedPassword: string;
  orgId: string;
  trunkId: string;
}

/** What the carrier is handed for one dial. */
export interface SipAuth {
  username: string;
  password: string;
}

const context = (orgId: string, trunkId: string) => `sip-trunk-password:${orgId}:${trunkId}`;

export function createTrunkSecrets(box: SecretBox): TrunkSecrets {
  return {
    seal: (orgId, trunkId, password) => box.seal(password, context(orgId, trunkId)),
    open: (orgId, trunkId, sealed) => box.open(sealed, context(orgId, trunkId)),
  };
}

/** Opens a planned leg's credentials; a leg planned with credentials and no way to open them is an error, never an unauthenticated dial. */
export function openSipAuth(secrets: TrunkSecrets | undefined, auth: SealedSipAuth | null | undefined): SipAuth | null {
  if (!auth) return null;
  if (!secrets) throw new Error('The trunk has SIP credentials but no ENCRYPTION_KEY-backed store was configured to open them.');
  return { username: auth.username, password: secrets.open(auth.orgId, auth.trunkId, auth.sealedPassword) };
}
