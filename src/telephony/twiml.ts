import twilio from 'twilio';
import type { AgentReply } from '../workflow-api/call';

export interface SpeechOptions {
  gatherUrl: string;
  language: string;
  /** A provider voice name (e.g. `Polly.Joanna`); Bland voice names that Twilio does not know are not sent. */
  voice: string | null;
  /** Seconds of silence after speech that end the caller's utterance. */
  speechTimeout?: string;
}

type SayAttributes = Parameters<InstanceType<typeof twilio.twiml.VoiceResponse>['say']>[0];

function sayAttributes(opts: SpeechOptions): SayAttributes {
  return {
    language: opts.language as SayAttributes extends { language?: infer L } ? L : never,
    ...(opts.voice ? { voice: opts.voice as never } : {}),
  };
}

/**
 * The agent's reply as TwiML: speak inside a speech <Gather> so the caller can answer (and
 * barge in), or speak and hang up when the agent ends the call.
 */
export function agentReplyTwiml(reply: AgentReply, opts: SpeechOptions): string {
  const response = new twilio.twiml.VoiceResponse();
  if (reply.action === 'end') {
    if (reply.say) response.say(sayAttributes(opts), reply.say);
    response.hangup();
    return response.toString();
  }
  const gather = response.gather({
    input: ['speech'],
    action: opts.gatherUrl,
    method: 'POST',
    language: opts.language as never,
    speechTimeout: opts.speechTimeout ?? 'auto',
    actionOnEmptyResult: true,
  });
  if (reply.say) gather.say(sayAttributes(opts), reply.say);
  return response.toString();
}

export function hangupTwiml(message?: string): string {
  const response = new twilio.twiml.VoiceResponse();
  if (message) response.say(message);
  response.hangup();
  return response.toString();
}
