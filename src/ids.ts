import { randomBytes, randomUUID } from 'node:crypto';

export const newCallId = (): string => randomUUID();
export const newOrgId = (): string => `org_${randomBytes(8).toString('hex')}`;
export const newRequestId = (): string => randomBytes(8).toString('hex');
/** API keys look like Bland's: a recognisable prefix and 32 random bytes. */
export const newApiKey = (): string => `sb_${randomBytes(32).toString('base64url')}`;
export const newSecret = (): string => randomBytes(32).toString('hex');

export const callWorkflowId = (callId: string): string => `call-${callId}`;
