import { appendCallEvents, callBelongsTo } from '../src/db/call-events';
import { storable } from '../src/db/storable-keys';
import { resolveInboundContext } from '../src/inbound/context';
import { carrierVoiceFor } from '../src/voices/registry';
import type { ActivityDeps } from './deps';

export interface InboundContextActivityInput {
  orgId: string;
  callId: string;
  number: string;
  from: string;
  sipHeaders: Record<string, string>;
  /** The call's variables so far (the system variables): they describe the call and are never shadowed. */
  variables: Record<string, unknown>;
}

export interface InboundContextActivityResult {
  /** Every variable of the call after the caller's context joined them. */
  variables: Record<string, unknown>;
  voice: string | null;
}

/**
 * An incoming call's caller context (src/inbound/context.ts: SIP header variables, the inbound
 * session, the lookup), before the first word: its variables join the call's, as dynamic_data's
 * do, and its events go to the call's event stream.
 */
export function createInboundActivities({ db, outbound }: Pick<ActivityDeps, 'db' | 'outbound'>) {
  return {
    async resolveInboundContext(input: InboundContextActivityInput): Promise<InboundContextActivityResult> {
      const { variables: current, ...request } = input;
      const context = await resolveInboundContext({ db, outbound }, request);
      // The session's voice speaks through the registry as a call's does (api/services/voices.ts); an unknown one is left out.
      const voice = context.voice ? await carrierVoiceFor(db.collections.voices, input.orgId, context.voice) : null;
      if (context.voice && !voice) context.events.push({ category: 'info', message: "The inbound session's voice is not a known voice (GET /v1/voices); the number's voice is used." });
      // Caller-supplied values are data: they may add variables but never rewrite call_id, phone_number and the like.
      const variables = { ...context.variables, ...current };
      if (Object.keys(context.variables).length > 0 && (await callBelongsTo(db, input.orgId, input.callId))) {
        await db.collections.calls.updateOne({ _id: input.callId }, { $set: { variables: storable(variables) as Record<string, unknown> } });
      }
      await appendCallEvents(db, input.orgId, input.callId, context.events.map((e) => ({ level: 'call', category: e.category, message: e.message })));
      return { variables, voice };
    },
  };
}
