import { randomUUID } from 'node:crypto';
import type { Database } from './database';
import type { EventCategory, EventLevel } from './types';

export interface NewCallEvent {
  level: EventLevel;
  category: EventCategory;
  message: string;
}

export async function appendCallEvents(
  db: Database,
  orgId: string,
  callId: string,
  events: NewCallEvent[],
  at: Date = new Date(),
): Promise<void> {
  if (events.length === 0) return;
  await db.collections.callEvents.insertMany(
    events.map((e, i) => ({
      _id: randomUUID(),
      org_id: orgId,
      call_id: callId,
      ...e,
      // Keep the order of events written together even when they share a millisecond.
      timestamp: new Date(at.getTime() + i),
    })),
  );
}
