import type { Database } from '../src/db/database';
import type { ChatModel } from '../src/llm/chat-model';
import type { Logger } from '../src/logger';
import type { TelephonyProvider } from '../src/telephony/provider';

/** Vendor clients are built once in the worker and handed to createActivities. */
export interface ActivityDeps {
  db: Database;
  telephony: TelephonyProvider;
  chat: ChatModel;
  logger: Logger;
  pricing: { perMinuteUsd: number };
}
