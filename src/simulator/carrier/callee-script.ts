import { z } from 'zod';

/**
 * How a simulated callee behaves: who picks up, what they say in reply to each prompt, and when
 * they hang up. Scripts are set per number through the control API.
 */
export const calleeScriptSchema = z.object({
  answer: z.enum(['human', 'machine', 'no-answer', 'busy', 'failed']).default('human'),
  /**
   * How long the carrier takes to answer the dial's REST request, in ms. The call exists from the
   * request on, so a dialler that dies meanwhile has placed a call it never heard of.
   */
  dialReplyDelayMs: z.number().int().min(0).max(60_000).default(0),
  /** The first this many dial requests to the number are refused with a 503 (the carrier is having trouble): nothing is placed. */
  dialFailures: z.number().int().min(0).max(100).default(0),
  /** Time spent ringing before the outcome, in ms (bounded by the dial's Timeout). */
  ringMs: z.number().int().min(0).max(120_000).default(0),
  /** What a person says on pick-up when the agent waits for them to speak first. */
  greeting: z.string().max(2000).default('Hello?'),
  /** Replies, one for each time the agent listens; "" is silence. When they run out, the callee hangs up. */
  utterances: z.array(z.string().max(4000)).max(500).default(['Hi, who is this?', 'Okay, sounds good.', 'Thanks, goodbye.']),
  /** Pause before each reply, in ms: the time a person takes to speak. */
  speechDelayMs: z.number().int().min(0).max(60_000).optional(),
  /** Hang up this many ms after answering, whatever is happening (a caller hang-up mid-call). */
  hangUpAfterMs: z.number().int().min(0).max(3_600_000).optional(),
  /** An answering machine's outgoing message, recorded in the simulated call's transcript. */
  machineGreeting: z.string().max(2000).default("You've reached the voicemail of the person you called. Please leave a message after the beep."),
  /** How long a machine records before it gives up on a caller who says nothing, in ms. */
  machineRecordMs: z.number().int().min(0).max(120_000).default(5000),
});

export type CalleeScript = z.infer<typeof calleeScriptSchema>;

export const DEFAULT_SCRIPT: CalleeScript = calleeScriptSchema.parse({});
