import { z } from 'zod';
import type { CatalogVoice } from '../voices/catalog';
import type { VoiceDoc } from '../voices/voice-store';

/**
 * One voice as GET /v1/voices lists it and GET /v1/voices/{id} shows it: the seed's fields, what the
 * voice speaks with, and `voice_preset_id`/`voice_name`, the names Bland's client libraries read.
 */
export const VoiceSchema = z.object({
  id: z.string(),
  name: z.string().describe('Usable as `voice` when sending calls (case-insensitive), as is the id'),
  description: z.string(),
  public: z.boolean(),
  tags: z.array(z.string()),
  average_rating: z.number().describe('Ratings are not collected: 0'),
  total_ratings: z.number().describe('Ratings are not collected: 0'),
  language: z.string(),
  say_voice: z.string().describe("The carrier voice a call's <Say> speaks"),
  speech_voice: z.string().describe("The speech model's voice, for samples"),
  editable: z.boolean().describe("The organisation's own voice: it may update, publish and delete it"),
  created_at: z.string().nullable().describe('Null for the curated voices'),
  voice_preset_id: z.string(),
  voice_name: z.string(),
});
export type VoiceView = z.infer<typeof VoiceSchema>;

export function catalogVoiceView(v: CatalogVoice): VoiceView {
  return {
    id: v.id, name: v.name, description: v.description, public: true, tags: v.tags, average_rating: 0, total_ratings: 0,
    language: v.language, say_voice: v.sayVoice, speech_voice: v.speechVoice, editable: false, created_at: null,
    voice_preset_id: v.id, voice_name: v.name,
  };
}

export function ownVoiceView(d: VoiceDoc, orgId: string): VoiceView {
  return {
    id: d._id, name: d.name, description: d.description, public: d.public, tags: d.tags, average_rating: 0, total_ratings: 0,
    language: d.language, say_voice: d.say_voice, speech_voice: d.speech_voice, editable: d.org_id === orgId,
    created_at: d.created_at.toISOString(), voice_preset_id: d._id, voice_name: d.name,
  };
}
