import type { Express } from 'express';
import { z } from 'zod';
import { callResource } from './call-resource';
import { calleeScriptSchema, type CalleeScript } from './callee-script';
import { numberResource, type SimulatedNumber } from './phone-numbers';
import type { SimulatedCall } from './simulated-call';
import type { InboundCallRequest } from './server';

export const inboundCallSchema = z.object({
  to: z.string().regex(/^\+[1-9]\d{6,14}$/),
  from: z.string().min(1).max(64),
  script: calleeScriptSchema.partial().optional(),
  // Any header a SIP trunk might send, hostile ones included: the application must bound them itself.
  sip_headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/), z.string().max(16_384)).refine((h) => Object.keys(h).length <= 200).optional(),
});

/** An incoming call to a number nobody holds. */
export class UnknownNumberError extends Error {}

export interface ControlApiDeps {
  calls: Map<string, SimulatedCall>;
  scripts: Map<string, CalleeScript>;
  accounts: Map<string, string>;
  placeInboundCall(req: InboundCallRequest): SimulatedCall;
  heldNumbers(): Set<string>;
  addNumber(accountSid: string, phoneNumber: string): SimulatedNumber;
}

/** The simulator's control and inspection API (not Twilio's): scripts callees and callers, adds accounts and numbers, shows what happened on a call. */
export function mountControlApi(app: Express, { calls, scripts, accounts, placeInboundCall, heldNumbers, addNumber }: ControlApiDeps): void {
    app.post('/_sim/inbound_calls', (req, res) => {
    const parsed = inboundCallSchema.safeParse(req.body);
    if (!parsed.success) return res.status(400).json({ error: 'expected {to, from, script?, sip_headers?}', issues: parsed.error.issues });
    try {
      const { to, from, script, sip_headers: sipHeaders } = parsed.data;
      res.status(201).json(callResource(placeInboundCall({ to, from, script, sipHeaders })));
    } catch (err) {
      if (!(err instanceof UnknownNumberError)) throw err;
      res.status(404).json({ error: err.message });
    }
  });
  app.post('/_sim/callees', (req, res) => {
    const body = req.body as { number?: unknown; script?: unknown };
    const parsed = calleeScriptSchema.safeParse(body.script ?? {});
    if (typeof body.number !== 'string' || !parsed.success) {
      return res.status(400).json({ error: 'expected {number, script}', issues: parsed.error?.issues ?? [] });
    }
    scripts.set(body.number, parsed.data);
    res.status(201).json({ number: body.number, script: parsed.data });
  });
  app.post('/_sim/accounts', (req, res) => {
    const { account_sid: sid, auth_token: token } = req.body as { account_sid?: unknown; auth_token?: unknown };
    if (typeof sid !== 'string' || !/^AC[0-9a-fA-F]{32}$/.test(sid) || typeof token !== 'string' || token.length < 16) {
      return res.status(400).json({ error: 'expected {account_sid: AC + 32 hex, auth_token: 16+ characters}' });
    }
    accounts.set(sid, token);
    res.status(201).json({ account_sid: sid });
  });
  app.post('/_sim/numbers', (req, res) => {
    const { account_sid: sid, phone_number: phone } = req.body as { account_sid?: unknown; phone_number?: unknown };
    if (typeof sid !== 'string' || !accounts.has(sid) || typeof phone !== 'string' || !/^\+[1-9]\d{6,14}$/.test(phone) || heldNumbers().has(phone)) {
      return res.status(400).json({ error: 'expected {account_sid of a known account, phone_number: E.164 not yet held}' });
    }
    res.status(201).json(numberResource(addNumber(sid, phone)));
  });
  app.get('/_sim/calls/:sid', (req, res) => {
    const call = calls.get(String(req.params.sid));
    if (!call) return res.status(404).json({ error: 'unknown call' });
    res.json({ ...callResource(call), ended_by: call.endedBy, transferred_to: call.transferredTo, rejected: call.rejected, transcript: call.transcript, errors: call.errors });
  });
}
