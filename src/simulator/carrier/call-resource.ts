import type { SimulatedCall } from './simulated-call';

/** A call as Twilio's REST API shows it (Calls/{sid}.json), marked simulated. */
export function callResource(c: SimulatedCall) {
  return {
    sid: c.sid,
    account_sid: c.req.accountSid,
    to: c.req.to,
    from: c.req.from,
    status: c.status,
    direction: c.req.inbound ? 'inbound' : 'outbound-api',
    api_version: '2010-04-01',
    date_created: c.createdAt.toUTCString(),
    start_time: c.answeredAt?.toUTCString() ?? null,
    end_time: c.endedAt?.toUTCString() ?? null,
    duration: c.endedAt ? String(c.durationSeconds) : null,
    uri: `/2010-04-01/Accounts/${c.req.accountSid}/Calls/${c.sid}.json`,
    simulated: true,
  };
}
