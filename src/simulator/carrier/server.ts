import express, { type NextFunction, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretsEqual } from '../../auth/api-keys';
import { calleeScriptSchema, DEFAULT_SCRIPT, type CalleeScript } from './callee-script';
import { renderRecording } from './recording-audio';
import { SimulatedCall } from './simulated-call';
import { mountPhoneNumbers, type SimulatedNumber } from './phone-numbers';
import { readTwiml } from './twiml-reader';
import { createSipTrunk, mountSipTrunk, type SipTrunk } from './sip-trunk';
import { parseSipUri } from '../../sessions/sip-headers';
import { first, twilioError, type Form } from './twilio-rest';
import { callResource } from './call-resource';
import { mountControlApi, UnknownNumberError } from './control-api';

export { inboundCallSchema, UnknownNumberError } from './control-api';

export interface CarrierSimulatorOptions {
  accountSid: string;
  authToken: string;
  port: number;
  host?: string;
  speechDelayMs?: number;
  /** How long the carrier waits for the application's webhooks (Twilio: 15 s). */
  webhookTimeoutMs?: number;
}

export interface CarrierSimulator {
  url: string;
  port: number;
  calls: Map<string, SimulatedCall>;
  scriptNumber(number: string, script: Partial<CalleeScript>): void;
  /** Opens another account (a customer's own Twilio account, for encrypted_key); also POST /_sim/accounts. */
  addAccount(accountSid: string, authToken: string): void;
  /** Phone numbers held by the simulated accounts, by SID (IncomingPhoneNumbers). */
  numbers: Map<string, SimulatedNumber>;
  /** Gives an account a number it already holds (a customer's own number); also POST /_sim/numbers. */
  addNumber(accountSid: string, phoneNumber: string): SimulatedNumber;
  /** A scripted caller dials one of the numbers the simulator handed out; also POST /_sim/inbound_calls. */
  placeInboundCall(call: InboundCallRequest): SimulatedCall;
  /** The simulated SIP trunk: every INVITE to a SIP address as requested, and what was said over each bridge; also GET /_sim/sip/*. */
  sip: SipTrunk;
  close(): Promise<void>;
}

/** A simulated caller: who calls which number, what they say, and the SIP headers on their INVITE. */
export interface InboundCallRequest {
  to: string;
  from: string;
  /** The caller's lines (`utterances`, `greeting`, `speechDelayMs`, `hangUpAfterMs`); `answer` and ringing do not apply. */
  script?: Partial<CalleeScript>;
  sipHeaders?: Record<string, string>;
}



export type { SimulatedNumber };


/**
 * The carrier simulator: the part of Twilio's REST API and webhooks that Switchboard uses, on
 * loopback, with scripted callees. Reached by the official twilio SDK; labelled as simulated.
 */
export async function startCarrierSimulator(opts: CarrierSimulatorOptions): Promise<CarrierSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const calls = new Map<string, SimulatedCall>();
  const scripts = new Map<string, CalleeScript>();
  const recordings = new Map<string, { wav: Buffer; mp3: Buffer | null; accountSid: string }>();
  // Like Twilio: each account has its own token, sees only its own calls and signs its own webhooks.
  const accounts = new Map<string, string>([[opts.accountSid, opts.authToken]]);
  let baseUrl = '';
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('x-switchboard-simulated', 'carrier');
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '256kb' }));
  app.use(express.json({ limit: '256kb' }));

  const account = '/2010-04-01/Accounts/:accountSid';
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    const [scheme, encoded] = (req.get('authorization') ?? '').split(' ');
    const [user, pass] = Buffer.from(encoded ?? '', 'base64').toString('utf8').split(':');
    const token = accounts.get(user ?? '');
    const ok = scheme === 'Basic' && token !== undefined && secretsEqual(pass ?? '', token);
    if (!ok || req.params.accountSid !== user) return twilioError(res, 401, 20003, 'Authenticate');
    next();
  };
  const sip = createSipTrunk();
  mountSipTrunk(app, sip);
  /** A number's script, or a SIP address's by its user part (an extension or a number behind a trunk). */
  /** Dial requests refused so far, a number (the script's `dialFailures`). */
  const refusedDials = new Map<string, number>();
  const scriptFor = (address: string): CalleeScript => scripts.get(address) ?? scripts.get(parseSipUri(address)?.user ?? '') ?? DEFAULT_SCRIPT;
  const context = {
    trunk: sip,
    scriptFor,
    authToken: opts.authToken,
    speechDelayMs: opts.speechDelayMs ?? 0,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 15_000,
    saveRecording: (call: SimulatedCall, given?: string) => {
      const sid = given ?? `RE${randomBytes(16).toString('hex')}`;
      const audio = renderRecording(call.transcript);
      recordings.set(sid, { ...audio, accountSid: call.req.accountSid });
      return { sid, url: `${baseUrl}/2010-04-01/Accounts/${call.req.accountSid}/Recordings/${sid}`, durationSeconds: audio.durationSeconds };
    },
  };
  /** A call's webhooks are signed with the token of the account that placed it. */
  const contextFor = (accountSid: string) => ({ ...context, authToken: accounts.get(accountSid) ?? opts.authToken });
  const ownCall = (req: Request) => {
    const call = calls.get(String(req.params.sid));
    return call && call.req.accountSid === req.params.accountSid ? call : undefined;
  };

  app.post(`${account}/Calls.json`, authenticate, (req, res) => {
    const b = req.body as Form;
    const [to, from, url] = [first(b, 'To'), first(b, 'From'), first(b, 'Url')];
    if (!to || !from) return twilioError(res, 400, 21201, "A 'To' and a 'From' phone number are required.");
    if (!url) return twilioError(res, 400, 21205, 'Url parameter is required.');
    const sipTo = to.startsWith('sip:') && parseSipUri(to) !== null;
    if (!sipTo && !/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const refused = refusedDials.get(to) ?? 0;
    if (refused < scriptFor(to).dialFailures) {
      refusedDials.set(to, refused + 1);
      return twilioError(res, 503, 20503, 'Service Unavailable');
    }
    const events = b.StatusCallbackEvent === undefined ? ['completed'] : ([] as string[]).concat(b.StatusCallbackEvent);
    const accountSid = String(req.params.accountSid);
    const call = new SimulatedCall(
      {
        accountSid,
        to,
        from,
        url,
        statusCallback: first(b, 'StatusCallback') ?? null,
        statusCallbackEvents: events,
        timeoutSeconds: Number(first(b, 'Timeout') ?? 60),
        amdCallback: first(b, 'MachineDetection') ? (first(b, 'AsyncAmdStatusCallback') ?? null) : null,
        record: first(b, 'Record') === 'true',
        recordingCallback: first(b, 'RecordingStatusCallback') ?? null,
      },
      scriptFor(to),
      contextFor(accountSid),
    );
    calls.set(call.sid, call);
    if (sipTo) sip.recordInvite('rest', to, from, call.sid, null, { username: first(b, 'SipAuthUsername') ?? null, passwordPresent: Boolean(first(b, 'SipAuthPassword')) });
    const reply = () => res.status(201).json(callResource(call));
    const delayMs = scriptFor(to).dialReplyDelayMs;
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  });

  // Twilio's list filters: To, and StartTime> (the SDK's startTimeAfter).
  app.get(`${account}/Calls.json`, authenticate, (req, res) => {
    const to = typeof req.query.To === 'string' ? req.query.To : undefined;
    const after = typeof req.query['StartTime>'] === 'string' ? Date.parse(req.query['StartTime>']) : NaN;
    const found = [...calls.values()].filter(
      (c) => c.req.accountSid === req.params.accountSid && (!to || c.req.to === to) && (Number.isNaN(after) || c.createdAt.getTime() >= after),
    );
    res.json({ calls: found.map(callResource), page: 0, page_size: 50, first_page_uri: req.originalUrl, next_page_uri: null, previous_page_uri: null, uri: req.originalUrl });
  });

  app.get(`${account}/Calls/:sid.json`, authenticate, (req, res) => {
    const call = ownCall(req);
    if (!call) return twilioError(res, 404, 20404, 'The requested resource was not found');
    res.json(callResource(call));
  });

  app.post(`${account}/Calls/:sid.json`, authenticate, (req, res) => {
    const call = ownCall(req);
    if (!call) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const b = req.body as Form;
    const status = first(b, 'Status');
    const twiml = first(b, 'Twiml');
    if ((status || twiml) && call.endedAt) return twilioError(res, 400, 21220, 'Call is not in-progress. Cannot redirect.');
    if (status === 'completed' || status === 'canceled') {
      call.endedBy ??= 'api';
      call.requestHangup();
    } else if (twiml) {
      try {
        call.requestRedirect(readTwiml(twiml));
      } catch {
        return twilioError(res, 400, 12100, 'Document parse failure');
      }
    }
    res.json(callResource(call));
  });

  // Call Recordings: start recording a live call (what an incoming call that arrived before answers
  // started recordings asks for; an outbound call is recorded by its dial's Record=true, an incoming
  // one by its answer's <Start><Recording>). The completed callback is posted when the call ends.
  app.post(`${account}/Calls/:sid/Recordings.json`, authenticate, (req, res) => {
    const call = ownCall(req);
    if (!call) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const b = req.body as Form;
    const events = b.RecordingStatusCallbackEvent === undefined ? ['completed'] : ([] as string[]).concat(b.RecordingStatusCallbackEvent);
    const callback = first(b, 'RecordingStatusCallback');
    const started = call.startRecording(callback && events.includes('completed') ? callback : null);
    if (started === 'not-in-progress') return twilioError(res, 400, 21220, 'Call is not in-progress. Cannot start recording.');
    if (started === 'already-recording') return twilioError(res, 400, 21220, 'Call is already being recorded.');
    const accountSid = String(req.params.accountSid);
    res.status(201).json({
      sid: started.sid,
      account_sid: accountSid,
      call_sid: call.sid,
      conference_sid: null,
      api_version: '2010-04-01',
      status: 'in-progress',
      source: 'StartCallRecordingAPI',
      channels: 1,
      track: 'both',
      start_time: started.startedAt.toUTCString(),
      date_created: started.startedAt.toUTCString(),
      date_updated: started.startedAt.toUTCString(),
      duration: null,
      price: null,
      price_unit: 'USD',
      error_code: null,
      encryption_details: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}/Recordings/${started.sid}.json`,
      simulated: true,
    });
  });

  app.get(`${account}/Recordings/:file`, authenticate, (req, res) => {
    const [sid, ext = 'wav'] = String(req.params.file).split('.');
    const found = recordings.get(sid ?? '');
    const audio = found?.accountSid === req.params.accountSid ? found : undefined;
    const body = ext === 'mp3' ? audio?.mp3 : ext === 'wav' ? audio?.wav : null;
    if (!body) return twilioError(res, 404, 20404, 'The requested resource was not found');
    res.type(ext === 'mp3' ? 'audio/mpeg' : 'audio/x-wav').send(body);
  });

  // Phone numbers: the search, purchase, list, update and release that Switchboard's number routes use.
  const { numbers, heldNumbers, addNumber } = mountPhoneNumbers(app, account, authenticate);

  /** Twilio's side of an incoming call: the number's holder signs its webhooks; only `completed` is reported, as by default. */
  const placeInboundCall = (req: InboundCallRequest): SimulatedCall => {
    const number = [...numbers.values()].find((n) => n.phoneNumber === req.to);
    if (!number?.voiceUrl) throw new UnknownNumberError(`${req.to} is not a number the simulator handed out, or has no voice URL`);
    const call = new SimulatedCall(
      {
        accountSid: number.accountSid,
        to: number.phoneNumber,
        from: req.from,
        url: number.voiceUrl,
        statusCallback: number.statusCallback,
        statusCallbackEvents: ['completed'],
        timeoutSeconds: 60,
        amdCallback: null,
        record: false,
        recordingCallback: null,
        inbound: { sipHeaders: req.sipHeaders ?? {} },
      },
      calleeScriptSchema.parse({ ...req.script, answer: 'human' }),
      contextFor(number.accountSid),
    );
    calls.set(call.sid, call);
    return call;
  };


  mountControlApi(app, { calls, scripts, accounts, placeInboundCall, heldNumbers, addNumber });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port, host, () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;
  return {
    url: baseUrl,
    port,
    calls,
    scriptNumber: (number, script) => scripts.set(number, calleeScriptSchema.parse(script)),
    addAccount: (sid, token) => void accounts.set(sid, token),
    numbers,
    addNumber: (sid, phone) => addNumber(sid, phone),
    placeInboundCall,
    sip,
    close: async () => {
      for (const c of calls.values()) c.requestHangup();
      await Promise.allSettled([...calls.values()].map((c) => c.done));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
