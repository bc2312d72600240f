import type { Express, NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { first, twilioError, type Form } from './twilio-rest';

/**
 * The carrier simulator's phone numbers: Twilio's AvailablePhoneNumbers search and the
 * IncomingPhoneNumbers purchase, list, fetch, update and release, per account.
 */

export interface SimulatedNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  voiceUrl: string | null;
  voiceMethod: string;
  statusCallback: string | null;
  statusCallbackMethod: string;
  createdAt: Date;
}

export function numberResource(n: SimulatedNumber) {
  return {
    sid: n.sid,
    account_sid: n.accountSid,
    phone_number: n.phoneNumber,
    friendly_name: n.phoneNumber,
    voice_url: n.voiceUrl,
    voice_method: n.voiceMethod,
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    capabilities: { voice: true, sms: false, mms: false, fax: false },
    api_version: '2010-04-01',
    date_created: n.createdAt.toUTCString(),
    date_updated: n.createdAt.toUTCString(),
    uri: `/2010-04-01/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
  };
}

/**
 * Numbers on offer: +1 <area code> 555 01xx-style fictional ranges for the US and Canada, Ofcom's
 * drama range for Great Britain. Other countries have no inventory (Twilio's 404).
 */
function offeredNumbers(country: string, areaCode: string | undefined, held: Set<string>, limit: number): string[] | null {
  const out: string[] = [];
  const take = (candidate: string) => {
    if (!held.has(candidate) && out.length < limit) out.push(candidate);
  };
  if (country === 'US' || country === 'CA') {
    const area = areaCode ?? (country === 'US' ? '415' : '604');
    if (!/^[2-9]\d{2}$/.test(area)) return [];
    for (let i = 100; i < 10_000 && out.length < limit; i++) take(`+1${area}555${String(i).padStart(4, '0')}`);
    return out;
  }
  if (country === 'GB') {
    if (areaCode !== undefined) return [];
    for (let i = 0; i < 1000 && out.length < limit; i++) take(`+447700900${String(i).padStart(3, '0')}`);
    return out;
  }
  return null;
}

/** Mounts the number routes under `account` (`/2010-04-01/Accounts/:accountSid`); answers the inventory. */
export function mountPhoneNumbers(
  app: Express,
  account: string,
  authenticate: (req: Request, res: Response, next: NextFunction) => void,
): { numbers: Map<string, SimulatedNumber>; heldNumbers: () => Set<string>; addNumber: (accountSid: string, phoneNumber: string, form?: Form) => SimulatedNumber } {
  const numbers = new Map<string, SimulatedNumber>();
  const heldNumbers = () => new Set([...numbers.values()].map((n) => n.phoneNumber));
  const addNumber = (accountSid: string, phoneNumber: string, form: Form = {}): SimulatedNumber => {
    const n: SimulatedNumber = {
      sid: `PN${randomBytes(16).toString('hex')}`,
      accountSid,
      phoneNumber,
      voiceUrl: first(form, 'VoiceUrl') ?? null,
      voiceMethod: first(form, 'VoiceMethod') ?? 'POST',
      statusCallback: first(form, 'StatusCallback') ?? null,
      statusCallbackMethod: first(form, 'StatusCallbackMethod') ?? 'POST',
      createdAt: new Date(),
    };
    numbers.set(n.sid, n);
    return n;
  };
  const ownNumber = (req: Request) => {
    const n = numbers.get(String(req.params.sid));
    return n && n.accountSid === req.params.accountSid ? n : undefined;
  };
  const page = (req: Request, key: string, items: unknown[]) => ({
    [key]: items, page: 0, page_size: 50, first_page_uri: req.originalUrl, next_page_uri: null, previous_page_uri: null, uri: req.originalUrl,
  });

  app.get(`${account}/AvailablePhoneNumbers/:country/Local.json`, authenticate, (req, res) => {
    const areaCode = typeof req.query.AreaCode === 'string' ? req.query.AreaCode : undefined;
    const limit = Math.min(Math.max(Number(req.query.PageSize ?? 50) || 50, 1), 1000);
    const offered = offeredNumbers(String(req.params.country), areaCode, heldNumbers(), limit);
    if (!offered) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const items = offered.map((phone) => ({
      phone_number: phone, friendly_name: phone, iso_country: req.params.country, capabilities: { voice: true, SMS: false, MMS: false }, simulated: true,
    }));
    res.json(page(req, 'available_phone_numbers', items));
  });

  app.post(`${account}/IncomingPhoneNumbers.json`, authenticate, (req, res) => {
    const b = req.body as Form;
    const phone = first(b, 'PhoneNumber');
    if (!phone) return twilioError(res, 400, 21421, 'PhoneNumber is required.');
    if (!/^\+[1-9]\d{6,14}$/.test(phone)) return twilioError(res, 400, 21421, `PhoneNumber ${phone} is invalid.`);
    if (heldNumbers().has(phone)) return twilioError(res, 400, 21422, `PhoneNumber ${phone} is not available.`);
    res.status(201).json(numberResource(addNumber(String(req.params.accountSid), phone, b)));
  });

  app.get(`${account}/IncomingPhoneNumbers.json`, authenticate, (req, res) => {
    const phone = typeof req.query.PhoneNumber === 'string' ? req.query.PhoneNumber : undefined;
    const found = [...numbers.values()].filter((n) => n.accountSid === req.params.accountSid && (!phone || n.phoneNumber === phone));
    res.json(page(req, 'incoming_phone_numbers', found.map(numberResource)));
  });

  app.get(`${account}/IncomingPhoneNumbers/:sid.json`, authenticate, (req, res) => {
    const n = ownNumber(req);
    if (!n) return twilioError(res, 404, 20404, 'The requested resource was not found');
    res.json(numberResource(n));
  });

  app.post(`${account}/IncomingPhoneNumbers/:sid.json`, authenticate, (req, res) => {
    const n = ownNumber(req);
    if (!n) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const b = req.body as Form;
    n.voiceUrl = first(b, 'VoiceUrl') ?? n.voiceUrl;
    n.voiceMethod = first(b, 'VoiceMethod') ?? n.voiceMethod;
    n.statusCallback = first(b, 'StatusCallback') ?? n.statusCallback;
    n.statusCallbackMethod = first(b, 'StatusCallbackMethod') ?? n.statusCallbackMethod;
    res.json(numberResource(n));
  });

  app.delete(`${account}/IncomingPhoneNumbers/:sid.json`, authenticate, (req, res) => {
    const n = ownNumber(req);
    if (!n) return twilioError(res, 404, 20404, 'The requested resource was not found');
    numbers.delete(n.sid);
    res.status(204).end();
  });

  return { numbers, heldNumbers, addNumber };
}
