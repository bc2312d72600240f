import { parsePhoneNumber, shortNumber } from '../phone';

export interface SystemVariableInput {
  callId: string;
  to: string;
  from: string;
  timezone: string;
  now: Date;
  /** An incoming call: `from` is the caller. Absent = outbound. */
  inbound?: boolean;
}

/** Formatters by time zone: building one costs far more than formatting with it. Bounded; zones are a few hundred names. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 1000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

function formatInZone(date: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace(':', '');
  return `${get('weekday')} ${get('month')} ${get('day')} ${get('year')} ${get('hour')}:${get('minute')}:${get('second')} ${offset} (${timeZone})`;
}

/**
 * The system variables of Bland's dynamic-data tutorial. `country` comes from the other party's
 * calling code; `state`, `city` and `zip` need a carrier lookup and stay empty (docs/api.md).
 */
export function systemVariables(input: SystemVariableInput): Record<string, string> {
  // `phone_number` is the other party, as in Bland: the callee of an outbound call, the caller of an incoming one.
  const party = input.inbound ? input.from : input.to;
  const parsed = parsePhoneNumber(party);
  return {
    now: formatInZone(input.now, input.timezone),
    now_utc: input.now.toUTCString(),
    from: input.from,
    to: input.to,
    short_from: shortNumber(input.from),
    short_to: shortNumber(input.to),
    call_id: input.callId,
    phone_number: party,
    country: parsed.ok ? (parsed.country ?? '') : '',
    state: '',
    city: '',
    zip: '',
  };
}

/** A call's variables: its request_data, under the system variables (which describe the call itself and may not be shadowed). */
export function callVariables(input: SystemVariableInput & { requestData: Record<string, unknown> }): Record<string, unknown> {
  return { ...input.requestData, ...systemVariables(input) };
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
