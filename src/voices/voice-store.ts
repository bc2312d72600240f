import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { SpeechVoice } from './catalog';

/** An organisation's own voice: a name of its choosing mapped to a carrier voice and a speech-model voice. */
export interface VoiceDoc {
  /** A UUID, as Bland's voice ids are. */
  _id: string;
  org_id: string;
  name: string;
  /** `name` lower-cased: names are matched case-insensitively and are unique within the organisation. */
  name_key: string;
  description: string;
  tags: string[];
  language: string;
  say_voice: string;
  speech_voice: SpeechVoice;
  /** Published (POST /v1/voices/{id}/publish): every organisation can list and use it. */
  public: boolean;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const newVoiceId = (): string => randomUUID();

export const VOICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function ensureVoiceIndexes(voices: Collection<VoiceDoc>): Promise<void> {
  await Promise.all([voices.createIndex({ org_id: 1, name_key: 1 }, { unique: true }), voices.createIndex({ public: 1, name_key: 1 })]);
}
