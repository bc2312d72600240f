import { createSessionActivities } from '../../activities/sessions';
import type { BridgeSessionDoc } from '../../src/sessions/types';
import type { PlaceBridgeLegRequest, ProviderCall, TelephonyProvider } from '../../src/telephony/provider';
import { startStack, uid, type Stack } from '../helpers/stack';

/**
 * The caller's leg is dialled at most once per session, even when a worker dies between the
 * carrier's answer and the record's write: the retried activity finds the leg at the carrier.
 */
describe('session dial: at most once', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });

  function carrier(crashAfterDial: boolean) {
    const placed: PlaceBridgeLegRequest[] = [];
    const calls: Array<ProviderCall & { to: string }> = [];
    const telephony = {
      name: 'fake',
      simulated: true,
      async placeBridgeLeg(req: PlaceBridgeLegRequest) {
        placed.push(req);
        const call = { providerCallSid: `CA${uid().padEnd(32, '0')}`, status: 'queued' as const, durationSeconds: null, to: req.to };
        calls.push(call);
        // The worker dies here: the carrier has the call, the record never hears of it.
        if (crashAfterDial) throw new Error('worker died');
        return call;
      },
      async findCallsTo(to: string) {
        return calls.filter((c) => c.to === to);
      },
      async fetchCall(sid: string) {
        return calls.find((c) => c.providerCallSid === sid)!;
      },
    } as unknown as TelephonyProvider;
    return { telephony, placed, calls };
  }

  it('finds a leg whose dial answer was lost instead of dialling again, and reuses a stored one', async () => {
    const sessionId = uid();
    const doc = {
      _id: sessionId, org_id: stack.org.id, workflow_id: `session-${sessionId}`, state: 'ringing',
      caller_leg: { provider_call_sid: null, status: null, dialing_since: null }, callee_leg: { provider_call_sid: null, status: null }, created_at: new Date(),
    } as unknown as BridgeSessionDoc;
    await stack.db.collections.bridgeSessions.insertOne(doc);
    const input = { orgId: stack.org.id, sessionId, address: `sip:1001@pbx.example.test?Answer-Mode=Auto`, from: '1002', webhookBaseUrl: 'http://127.0.0.1:1', timeoutSeconds: 30 };

    const first = carrier(true);
    await expect(createSessionActivities({ db: stack.db, telephony: first.telephony }).placeSessionLeg(input)).rejects.toThrow('worker died');
    expect(first.placed).toHaveLength(1);

    // The retry, in a new worker that shares the carrier: no second dial.
    const retry = { ...carrier(false) };
    retry.calls.push(...first.calls);
    const found = await createSessionActivities({ db: stack.db, telephony: retry.telephony }).placeSessionLeg(input);
    expect(retry.placed).toHaveLength(0);
    expect(found.providerCallSid).toBe(first.calls[0]!.providerCallSid);
    expect((await stack.db.collections.bridgeSessions.findOne({ _id: sessionId }))!.caller_leg.provider_call_sid).toBe(found.providerCallSid);

    // Once stored, a further retry only reads the leg back.
    const again = await createSessionActivities({ db: stack.db, telephony: retry.telephony }).placeSessionLeg(input);
    expect(again.providerCallSid).toBe(found.providerCallSid);
    expect(retry.placed).toHaveLength(0);
  });

  it("refuses another organisation's session record", async () => {
    const sessionId = uid();
    await stack.db.collections.bridgeSessions.insertOne({ _id: sessionId, org_id: 'org_other', caller_leg: { provider_call_sid: null, status: null }, callee_leg: { provider_call_sid: null, status: null } } as unknown as BridgeSessionDoc);
    const { telephony, placed } = carrier(false);
    await expect(
      createSessionActivities({ db: stack.db, telephony }).placeSessionLeg({ orgId: stack.org.id, sessionId, address: 'sip:1@h', from: '2', webhookBaseUrl: 'http://127.0.0.1:1', timeoutSeconds: 30 }),
    ).rejects.toThrow(/has no record/);
    expect(placed).toHaveLength(0);
  });
});
