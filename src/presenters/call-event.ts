import { z } from 'zod';
import type { CallEventDoc } from '../db/types';

/** One entry of a call's event stream, as GET /v1/event_stream/{call_id} and the `events` webhook show it. */
export const CallEventSchema = z.object({
  level: z.string().describe('queue or call'),
  category: z.string().describe('info, error or performance'),
  message: z.string(),
  call_id: z.string(),
  timestamp: z.string().meta({ format: 'date-time' }),
});

export type CallEvent = z.infer<typeof CallEventSchema>;

export const callEvent = (e: Pick<CallEventDoc, 'level' | 'category' | 'message' | 'call_id' | 'timestamp'>): CallEvent => ({
  level: e.level,
  category: e.category,
  message: e.message,
  call_id: e.call_id,
  timestamp: e.timestamp.toISOString(),
});
