import { planBridge, SessionPlanRefused } from '../../src/sessions/providers';
import { parseSipUri, sipUri } from '../../src/sessions/sip-headers';
import { sessionAnswerTwiml } from '../../src/sessions/webhooks';
import type { SessionRequest } from '../../src/sessions/types';
import type { TrunkDoc } from '../../src/trunks/types';

const trunk: TrunkDoc = { _id: 'TR-000000000000000000000001', org_id: 'org_1', name: 'pbx', host: 'pbx.example.com', transport: 'tls', created_at: new Date(0) };
const base: SessionRequest = { caller: '1001', callee: '+14155550100', send_sdp: true, trunk: 'pbx' };

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SessionPlanRefused) return err.problems;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('session plan per provider', () => {
  it('sends the rewrites and the auto-answer header in the SIP URIs, as asked, on the simulator', () => {
    const plan = planBridge({ ...base, rewrite_from: '555', rewrite_pai: '666', rewrite_rpi: '777', caller_display_name: 'Desk "A"', additional_header: 'ALERT_INFO_AUTO_ANSWER', header_direction: 'CALLEE' }, trunk, 'simulator', '+15550001111');
    expect(plan.caller.from).toBe('+14155550100');
    expect(plan.caller.headers).toEqual([]);
    expect(plan.callee.from).toBe('555');
    expect(plan.callee.headers).toEqual([
      { name: 'P-Asserted-Identity', value: '<sip:666@pbx.example.com>' },
      { name: 'Remote-Party-ID', value: '<sip:777@pbx.example.com>;party=calling;screen=no;privacy=off' },
      { name: 'Alert-Info', value: 'info=Auto Answer' },
    ]);
    const parsed = parseSipUri(plan.callee.address)!;
    expect(parsed).toMatchObject({ user: '+14155550100', host: 'pbx.example.com', params: { transport: 'tls' } });
    expect(parsed.headers).toEqual(expect.arrayContaining([{ name: 'Alert-Info', value: 'info=Auto Answer' }, { name: 'X-Switchboard-Display-Name', value: 'Desk "A"' }]));
  });

  it('defaults header_direction to CALLER and ignores it without additional_header', () => {
    expect(planBridge({ ...base, additional_header: 'ANSWER_MODE' }, trunk, 'simulator', '').caller.headers).toEqual([{ name: 'Answer-Mode', value: 'Auto' }]);
    const plan = planBridge({ ...base, header_direction: 'ALL' }, trunk, 'simulator', '');
    expect([...plan.caller.headers, ...plan.callee.headers]).toEqual([]);
  });

  it('refuses on Twilio, by name, what its <Sip> cannot send, and allows Remote-Party-ID and the From user part', () => {
    const problems = refusal(() => planBridge({ ...base, rewrite_pai: '1', additional_header: 'CALL_INFO', header_direction: 'ALL', caller_display_name: 'x', send_sdp: false }, trunk, 'twilio', ''));
    expect(problems).toEqual([
      expect.stringMatching(/^additional_header: the Call-Info header cannot be sent by provider twilio/),
      expect.stringMatching(/^rewrite_pai: the P-Asserted-Identity header cannot be sent by provider twilio/),
      expect.stringMatching(/^caller_display_name: .*provider twilio/),
      expect.stringMatching(/^send_sdp: false .*provider twilio/),
    ]);
    const plan = planBridge({ ...base, rewrite_rpi: '42', rewrite_from: '43' }, trunk, 'twilio', '');
    expect(plan.callee.address).toBe('sip:+14155550100@pbx.example.com;transport=tls?Remote-Party-ID=%3Csip%3A42%40pbx.example.com%3E%3Bparty%3Dcalling%3Bscreen%3Dno%3Bprivacy%3Doff');
    expect(plan.callee.from).toBe('43');
  });

  it('without a trunk dials phone numbers and refuses every SIP-level field', () => {
    const plan = planBridge({ caller: '+14155550101', callee: '+14155550102', send_sdp: true }, null, 'simulator', '+15550001111');
    expect(plan.caller).toEqual({ address: '+14155550101', from: '+15550001111', headers: [] });
    expect(plan.callee).toEqual({ address: '+14155550102', from: '+14155550101', headers: [] });
    const problems = refusal(() => planBridge({ caller: '+14155550101', callee: '+14155550102', send_sdp: false, rewrite_from: '1', additional_header: 'ANSWER_MODE' }, null, 'simulator', ''));
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).toMatch(/rewrite_from .*trunk.*additional_header .*trunk.*send_sdp/);
  });

  it('renders the answer as <Dial callerId><Sip> with the callee leg reporting its progress', () => {
    const plan = planBridge({ ...base, rewrite_rpi: '9' }, trunk, 'twilio', '');
    const xml = sessionAnswerTwiml({ action: 'bridge', callee: plan.callee, timeoutSeconds: 30, timeLimitSeconds: 600 }, 'https://api.example.com', 'abc');
    expect(xml).toContain('callerId="1001"');
    expect(xml).toContain('action="https://api.example.com/v1/telephony/twilio/sessions/dial?session_id=abc"');
    expect(xml).toContain('<Sip statusCallback="https://api.example.com/v1/telephony/twilio/sessions/callee-status?session_id=abc"');
    expect(xml).toContain('sip:+14155550100@pbx.example.com;transport=tls?Remote-Party-ID=');
    expect(sessionAnswerTwiml({ action: 'hangup' }, 'https://x', 'abc')).toContain('<Hangup/>');
  });

  it("presents the trunk's credentials on both legs, the password still sealed, and puts them on <Sip> only when opened", () => {
    const withAuth: TrunkDoc = { ...trunk, username: 'desk-7', password: 'v1.kid.iv.tag.sealed' };
    const plan = planBridge(base, withAuth, 'twilio', '');
    const sealed = { username: 'desk-7', sealedPassword: 'v1.kid.iv.tag.sealed', orgId: 'org_1', trunkId: trunk._id };
    expect(plan.caller.sipAuth).toEqual(sealed);
    expect(plan.callee.sipAuth).toEqual(sealed);
    expect(plan.callee.address).not.toContain('desk-7');
    expect(planBridge(base, trunk, 'twilio', '').callee.sipAuth).toBeUndefined();
    const answer = { action: 'bridge' as const, callee: plan.callee, timeoutSeconds: 30, timeLimitSeconds: 600 };
    expect(sessionAnswerTwiml(answer, 'https://x', 'abc', { username: 'desk-7', password: 'p&"<' })).toMatch(/<Sip [^>]*username="desk-7"[^>]*password="p&amp;&quot;&lt;"/);
    expect(sessionAnswerTwiml(answer, 'https://x', 'abc')).not.toMatch(/username=|password=/);
  });

  it("refuses a presented caller ID (rewrite_from, else caller) the trunk does not allow, on every provider", () => {
    const allowing: TrunkDoc = { ...trunk, allowed_caller_ids: ['1001', '555'] };
    for (const provider of ['simulator', 'twilio'] as const) {
      expect(planBridge(base, allowing, provider, '').callee.from).toBe('1001');
      expect(planBridge({ ...base, caller: '2002', rewrite_from: '555' }, allowing, provider, '').callee.from).toBe('555');
      expect(refusal(() => planBridge({ ...base, caller: '2002' }, allowing, provider, ''))).toEqual(['caller ID "2002" (caller) is not among the allowed_caller_ids of trunk "pbx".']);
      expect(refusal(() => planBridge({ ...base, rewrite_from: '556' }, allowing, provider, ''))).toEqual(['caller ID "556" (rewrite_from) is not among the allowed_caller_ids of trunk "pbx".']);
    }
  });

  it('percent-encodes header values so nothing can end the URI or add a header', () => {
    const uri = sipUri('1', 'h', 'udp', [{ name: 'X-A', value: 'a&B=c?d>e\r\nF: g' }]);
    expect(uri).toBe('sip:1@h?X-A=a%26B%3Dc%3Fd%3Ee%0D%0AF%3A%20g');
    expect(parseSipUri(uri)!.headers).toEqual([{ name: 'X-A', value: 'a&B=c?d>e\r\nF: g' }]);
  });
});
