import twilio from 'twilio';
import type { AgentReply, SpeechSettings } from '../workflow-api/call';
import { applyPronunciations } from './pronunciation';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayAttributes = NonNullable<Parameters<VoiceResponse['say']>[0]>;

function sayAttributes(speech: SpeechSettings): SayAttributes {
  return { language: speech.language as SayAttributes['language'], ...(speech.voice ? { voice: speech.voice as SayAttributes['voice'] } : {}) };
}

/**
 * The agent's reply as TwiML: speak inside a speech <Gather> so the caller can answer (and barge
 * in, unless interruptions are blocked), or speak and hang up when the agent ends the call.
 */
export function agentReplyTwiml(reply: AgentReply, gatherUrl: string, continueUrl?: string): string {
  const { speech } = reply;
  const spoken = applyPronunciations(reply.say, speech.pronunciations);
  const response = new twilio.twiml.VoiceResponse();
  if (reply.work && continueUrl) {
    // Work during the turn (a tool): say its words now, then fetch the follow-up once it is done.
    if (spoken) response.say(sayAttributes(speech), spoken);
    else response.pause({ length: 1 });
    response.redirect({ method: 'POST' }, continueUrl);
    return response.toString();
  }
  if (reply.action === 'end') {
    if (spoken) response.say(sayAttributes(speech), spoken);
    response.hangup();
    return response.toString();
  }
  const gather = response.gather({
    input: ['speech'],
    action: gatherUrl,
    method: 'POST',
    language: speech.language as never,
    speechTimeout: 'auto',
    actionOnEmptyResult: true,
    bargeIn: speech.bargeIn,
    ...(speech.keywords.length > 0 ? { hints: speech.keywords.join(', ') } : {}),
  });
  if (spoken) gather.say(sayAttributes(speech), spoken);
  return response.toString();
}

/**
 * Keeps the line while the agent's reply is still being worked on: a second of silence, then the
 * carrier asks `url` for the reply again (with a fresh wait of its own).
 */
export function holdTwiml(url: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.pause({ length: 1 });
  response.redirect({ method: 'POST' }, url);
  return response.toString();
}

export function hangupTwiml(message?: string, speech?: SpeechSettings): string {
  const response = new twilio.twiml.VoiceResponse();
  if (message) response.say(speech ? sayAttributes(speech) : {}, message);
  response.hangup();
  return response.toString();
}

/** Says the agent's last words, then bridges the caller to `number`; the carrier reports the leg's outcome to `actionUrl`. */
export function transferTwiml(reply: AgentReply, number: string, actionUrl: string): string {
  const response = new twilio.twiml.VoiceResponse();
  const spoken = applyPronunciations(reply.say, reply.speech.pronunciations);
  if (spoken) response.say(sayAttributes(reply.speech), spoken);
  response.dial({ action: actionUrl, method: 'POST' }, number);
  return response.toString();
}

const OPEN = '<Response>';

/**
 * `twiml` with the carrier's recording of the call started before its first verb
 * (`<Start><Recording>`): an incoming call's first answer, so the recording covers the whole call
 * and no REST request races a caller who hangs up at once. The completed recording goes to
 * `callbackUrl`, as a dialled call's does.
 */
export function withRecordingStarted(twiml: string, callbackUrl: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.start().recording({
    recordingStatusCallback: callbackUrl,
    recordingStatusCallbackMethod: 'POST',
    recordingStatusCallbackEvent: ['completed'],
    channels: 'mono',
  });
  const doc = response.toString();
  const start = doc.slice(doc.indexOf(OPEN) + OPEN.length, doc.lastIndexOf('</Response>'));
  if (!twiml.includes(OPEN)) throw new Error('withRecordingStarted: not a TwiML document of this module (no <Response>)');
  return twiml.replace(OPEN, () => `${OPEN}${start}`);
}
