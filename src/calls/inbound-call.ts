import { createHash } from 'node:crypto';
import type { InboundAgentConfig } from '../numbers/types';

/**
 * The call ID of an incoming call, derived from the carrier's call: a voice webhook the carrier
 * sends again finds the same call (one workflow, never two), and the number's status callback,
 * which carries no `call_id`, finds it too. A UUID (version 8: derived) like every call ID.
 */
export function inboundCallId(accountSid: string, providerCallSid: string): string {
  const h = createHash('sha256').update(`inbound:${accountSid}:${providerCallSid}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Settings of an inbound agent that are not Send Call parameters (src/inbound reads them from the number). */
const NOT_CALL_PARAMETERS = new Set(['prompt', 'sip_header_variables', 'ingest_lookup_key']);

/**
 * A number's agent as Send Call parameters, so an incoming call is built by the same code as an
 * outbound one: `prompt` is Send Call's `task`, every other setting has its Send Call name.
 */
export function agentCallBody(agent: InboundAgentConfig): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(agent)) {
    if (value !== undefined && value !== null && !NOT_CALL_PARAMETERS.has(field)) body[field] = value;
  }
  if (typeof agent.prompt === 'string') body.task = agent.prompt;
  return body;
}

/** The agent can answer: it has a prompt or a pathway (the rule POST /v1/inbound/{phone_number} enforces). */
export function agentCanAnswer(agent: InboundAgentConfig | undefined): boolean {
  return !!agent && ((typeof agent.prompt === 'string' && agent.prompt.length > 0) || typeof agent.pathway_id === 'string');
}

/** The caller as the carrier reports it: a number, or a word such as `anonymous`; anything else is not kept. */
export function callerOf(raw: string | undefined): string {
  return typeof raw === 'string' && /^[+0-9A-Za-z*#._@:-]{1,64}$/.test(raw) ? raw : '';
}
