import { systemVariables } from '../../src/calls/system-variables';

const at = (iso: string, timezone: string) =>
  systemVariables({ callId: 'c-1', to: '+14155550123', from: '+442071838750', timezone, now: new Date(iso) }).now;

describe('system variables', () => {
  it('formats `now` in the call timezone, each zone and instant on its own', () => {
    expect(at('2026-07-01T12:00:00Z', 'America/New_York')).toBe('Wed Jul 01 2026 08:00:00 GMT-0400 (America/New_York)');
    expect(at('2026-12-01T12:00:00Z', 'America/New_York')).toBe('Tue Dec 01 2026 07:00:00 GMT-0500 (America/New_York)');
    expect(at('2026-07-01T12:00:00Z', 'Asia/Kolkata')).toBe('Wed Jul 01 2026 17:30:00 GMT+0530 (Asia/Kolkata)');
    // The same zone again, after another one: its formatter is reused, the result the same.
    expect(at('2026-07-01T12:00:00Z', 'America/New_York')).toBe('Wed Jul 01 2026 08:00:00 GMT-0400 (America/New_York)');
  });

  it('names the other party and its country', () => {
    const v = systemVariables({ callId: 'c-1', to: '+14155550123', from: '+442071838750', timezone: 'UTC', now: new Date('2026-01-01T00:00:00Z') });
    expect(v).toMatchObject({ phone_number: '+14155550123', country: 'US', call_id: 'c-1', now_utc: 'Thu, 01 Jan 2026 00:00:00 GMT' });
    expect(v.now).toBe('Thu Jan 01 2026 00:00:00 GMT+0000 (UTC)');
  });
});
