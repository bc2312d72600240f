import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretsEqual } from '../../auth/api-keys';
import { calleeScriptSchema, DEFAULT_SCRIPT, type CalleeScript } from './callee-script';
import { SimulatedCall } from './simulated-call';

export interface CarrierSimulatorOptions {
  accountSid: string;
  authToken: string;
  port: number;
  host?: string;
  speechDelayMs?: number;
}

export interface CarrierSimulator {
  url: string;
  port: number;
  calls: Map<string, SimulatedCall>;
  scriptNumber(number: string, script: Partial<CalleeScript>): void;
  close(): Promise<void>;
}

function twilioError(res: Response, status: number, code: number, message: string) {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function callResource(c: SimulatedCall) {
  return {
    sid: c.sid,
    account_sid: c.req.accountSid,
    to: c.req.to,
    from: c.req.from,
    status: c.status,
    direction: 'outbound-api',
    api_version: '2010-04-01',
    date_created: c.createdAt.toUTCString(),
    start_time: c.answeredAt?.toUTCString() ?? null,
    end_time: c.endedAt?.toUTCString() ?? null,
    duration: c.endedAt ? String(c.durationSeconds) : null,
    uri: `/2010-04-01/Accounts/${c.req.accountSid}/Calls/${c.sid}.json`,
    simulated: true,
  };
}

/**
 * The carrier simulator: the part of Twilio's REST API and webhooks that Switchboard uses, on
 * loopback, with scripted callees. Reached by the official twilio SDK; labelled as simulated.
 */
export async function startCarrierSimulator(opts: CarrierSimulatorOptions): Promise<CarrierSimulator> {
  const calls = new Map<string, SimulatedCall>();
  const scripts = new Map<string, CalleeScript>();
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('x-switchboard-simulated', 'carrier');
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '256kb' }));
  app.use(express.json({ limit: '256kb' }));

  const accountBase = '/2010-04-01/Accounts/:accountSid';
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    const [scheme, encoded] = (req.get('authorization') ?? '').split(' ');
    const [user, pass] = Buffer.from(encoded ?? '', 'base64').toString('utf8').split(':');
    const ok = scheme === 'Basic' && user === opts.accountSid && secretsEqual(pass ?? '', opts.authToken);
    if (!ok || req.params.accountSid !== opts.accountSid) return twilioError(res, 401, 20003, 'Authenticate');
    next();
  };

  app.post(`${accountBase}/Calls.json`, authenticate, (req, res) => {
    const b = req.body as Record<string, string | string[] | undefined>;
    const first = (k: string) => (Array.isArray(b[k]) ? b[k][0] : b[k]);
    const to = first('To');
    const from = first('From');
    const url = first('Url');
    if (!to || !from) return twilioError(res, 400, 21201, "A 'To' and a 'From' phone number are required.");
    if (!url && !first('Twiml')) return twilioError(res, 400, 21205, 'Url parameter is required.');
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const events = b.StatusCallbackEvent === undefined ? ['completed'] : ([] as string[]).concat(b.StatusCallbackEvent);
    const script = scripts.get(to) ?? DEFAULT_SCRIPT;
    const call = new SimulatedCall(
      {
        accountSid: opts.accountSid,
        to,
        from,
        url: url ?? '',
        statusCallback: first('StatusCallback') ?? null,
        statusCallbackEvents: events,
        timeoutSeconds: Number(first('Timeout') ?? 60),
      },
      script,
      opts.authToken,
      opts.speechDelayMs ?? 0,
    );
    calls.set(call.sid, call);
    res.status(201).json(callResource(call));
  });

  app.get(`${accountBase}/Calls/:sid.json`, authenticate, (req, res) => {
    const call = calls.get(String(req.params.sid));
    if (!call) return twilioError(res, 404, 20404, 'The requested resource was not found');
    res.json(callResource(call));
  });

  app.post(`${accountBase}/Calls/:sid.json`, authenticate, (req, res) => {
    const call = calls.get(String(req.params.sid));
    if (!call) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const status = (req.body as Record<string, string>).Status;
    if (status === 'completed' || status === 'canceled') {
      call.endedBy ??= 'api';
      call.requestHangup();
    }
    res.json(callResource(call));
  });

  // Control and inspection API (not Twilio's): scripts callees, shows what happened on a call.
  app.post('/_sim/callees', (req, res) => {
    const body = req.body as { number?: unknown; script?: unknown };
    const parsed = calleeScriptSchema.safeParse(body.script ?? {});
    if (typeof body.number !== 'string' || !parsed.success) {
      return res.status(400).json({ error: 'expected {number, script}', issues: parsed.error?.issues ?? [] });
    }
    scripts.set(body.number, parsed.data);
    res.status(201).json({ number: body.number, script: parsed.data });
  });
  app.get('/_sim/calls/:sid', (req, res) => {
    const call = calls.get(String(req.params.sid));
    if (!call) return res.status(404).json({ error: 'unknown call' });
    res.json({ ...callResource(call), ended_by: call.endedBy, transferred_to: call.transferredTo, transcript: call.transcript, errors: call.errors });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    calls,
    scriptNumber: (number, script) => scripts.set(number, calleeScriptSchema.parse(script)),
    close: async () => {
      for (const c of calls.values()) c.requestHangup();
      await Promise.allSettled([...calls.values()].map((c) => c.done));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
