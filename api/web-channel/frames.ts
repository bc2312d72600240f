import { z } from 'zod';
import { MAX_WEB_MESSAGE_CHARS } from '../../src/workflow-api/web-call';

/**
 * The browser channel's frames (docs/web-agents.md, "## Browser channel"): what a client may send,
 * checked here, and what the server sends. Everything a client sends is data: it is parsed,
 * bounded and relayed, never evaluated.
 */

/** Limits of one session (docs/web-agents.md "Limits"). */
export const WEB_LIMITS = {
  /** A text frame, in bytes (the JSON of a message, escapes included). */
  maxTextFrameBytes: 16 * 1024,
  /** A message's text, in characters. */
  maxMessageChars: MAX_WEB_MESSAGE_CHARS,
  /** One binary (audio) frame, in bytes. */
  maxAudioFrameBytes: 64 * 1024,
  /** One utterance (audio_start..audio_end), in seconds of audio. */
  maxUtteranceSeconds: 60,
  /** Frames a second, averaged over a few seconds (a burst of `floodBurst` passes); beyond it the socket closes with 4429. */
  framesPerSecond: 20,
  floodBurst: 40,
} as const;

/** WebSocket close codes of the browser channel. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupported: 1003,
  tooBig: 1009,
  serverError: 1011,
  unauthorized: 4401,
  agentNotFound: 4404,
  resumeRefused: 4408,
  tooManySessions: 4409,
  flooding: 4429,
} as const;

const sampleRate = z.number().int().min(8000).max(48000);

export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    text: z.string().max(WEB_LIMITS.maxMessageChars).refine((t) => t.trim() !== '', 'must not be empty'),
    /** Also send the reply's audio (when voice is on). */
    speak: z.boolean().optional(),
  }),
  z.object({ type: z.literal('audio_start'), sample_rate: sampleRate }),
  z.object({ type: z.literal('audio_end') }),
  z.object({ type: z.literal('end') }),
  z.object({ type: z.literal('ping') }),
]);

export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export type ErrorCode = 'bad_frame' | 'busy' | 'turn_failed' | 'voice_unavailable' | 'transcription_failed';

export type ServerFrame =
  | { type: 'session'; call_id: string; agent_id: string; resume_token: string; voice: boolean }
  | { type: 'transcript'; role: 'user' | 'assistant'; text: string; seq: number }
  | { type: 'reply'; text: string; action: 'continue' | 'end' | 'transfer'; node: { id: string; name: string } | null }
  | { type: 'audio'; format: 'mp3' | 'wav'; data: string; seq: number }
  | { type: 'error'; code: ErrorCode; message: string }
  | { type: 'ended'; call_ended_by: 'USER' | 'ASSISTANT' | null; reason: string }
  | { type: 'pong' };

/** A text frame's JSON, checked: the frame, or the words of a `bad_frame` error. */
export function parseClientFrame(text: string): { ok: true; frame: ClientFrame } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'A frame must be a JSON object.' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, message: 'A frame must be a JSON object.' };
  const parsed = ClientFrameSchema.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  if (issue?.code === 'invalid_union') return { ok: false, message: 'type must be one of message, audio_start, audio_end, end, ping.' };
  if (issue?.code === 'too_big' && issue.path[0] === 'text') return { ok: false, message: `text: at most ${WEB_LIMITS.maxMessageChars} characters.` };
  return { ok: false, message: `${where}${issue?.message ?? 'invalid frame'}` };
}

/** Admits frames at WEB_LIMITS.framesPerSecond with a burst allowance (a token bucket); false = flooding. */
export function frameRateLimiter(now: () => number = Date.now, perSecond: number = WEB_LIMITS.framesPerSecond, burst: number = WEB_LIMITS.floodBurst) {
  let tokens = burst;
  let last = now();
  return (): boolean => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
