import { ApplicationFailure } from '@temporalio/common';
import { createTelephonyActivities } from '../../activities/telephony';
import type { ActivityDeps } from '../../activities/deps';
import { CarrierRequestError, type ProviderCall, type StartRecordingRequest } from '../../src/telephony/provider';

/**
 * The startRecording activity against a scripted carrier: an incoming leg is "not in progress" for
 * a moment after its answer (tried again), a line already down is not (fails for good, no wait),
 * and an own-account call records with that account's credentials.
 */
describe('startRecording activity', () => {
  const own = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'own-token-0123456789' };
  const setup = (opts: { refusals: number; lineStatus: ProviderCall['status']; accountId?: string }) => {
    const asked: StartRecordingRequest[] = [];
    let refusals = opts.refusals;
    const telephony = {
      startRecording: async (req: StartRecordingRequest) => {
        asked.push(req);
        if (refusals-- > 0) throw new CarrierRequestError('Call is not in-progress. Cannot start recording.', 400, 21220);
        return { recordingSid: `RE${'a'.repeat(32)}` };
      },
      fetchCall: async (sid: string): Promise<ProviderCall> => ({ providerCallSid: sid, status: opts.lineStatus, durationSeconds: null }),
    };
    const call = { _id: 'call-1', org_id: 'org-1', ...(opts.accountId ? { carrier_account_id: opts.accountId } : {}) };
    const db = { collections: { calls: { findOne: async () => call } } };
    const carrierAccounts = { byId: async (_org: string, id: string) => (id === 'acct-1' ? own : null) };
    const activities = createTelephonyActivities({ db, telephony, carrierAccounts } as unknown as ActivityDeps);
    return { asked, start: (sid: string) => activities.startRecording({ orgId: 'org-1', callId: 'call-1', providerCallSid: sid, webhookBaseUrl: 'https://api.example.com' }) };
  };

  it('tries again while the leg is not yet in progress', async () => {
    const { asked, start } = setup({ refusals: 2, lineStatus: 'ringing' });
    await expect(start(`CA${'b'.repeat(32)}`)).resolves.toEqual({ recordingSid: `RE${'a'.repeat(32)}` });
    expect(asked).toHaveLength(3);
    expect(asked[0]).toMatchObject({ callId: 'call-1', webhookBaseUrl: 'https://api.example.com', credentials: null });
  });

  it('fails for good when the line is already down', async () => {
    const { asked, start } = setup({ refusals: 100, lineStatus: 'completed' });
    const err = await start(`CA${'c'.repeat(32)}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect(asked).toHaveLength(1);
  });

  it("records an own-account call with that account's credentials", async () => {
    const { asked, start } = setup({ refusals: 0, lineStatus: 'in-progress', accountId: 'acct-1' });
    await start(`CA${'d'.repeat(32)}`);
    expect(asked[0]!.credentials).toEqual(own);
  });

  it('refuses to record an own-account call whose account was removed', async () => {
    const { asked, start } = setup({ refusals: 0, lineStatus: 'in-progress', accountId: 'acct-gone' });
    await expect(start(`CA${'e'.repeat(32)}`)).rejects.toMatchObject({ type: 'CarrierAccountMissing', nonRetryable: true });
    expect(asked).toHaveLength(0);
  });
});
