import type { Collection } from 'mongodb';
import { catalogVoice, isCarrierVoice, type CatalogVoice } from './catalog';
import { VOICE_ID, type VoiceDoc } from './voice-store';

export type RegistryVoice = { kind: 'catalog'; voice: CatalogVoice } | { kind: 'own' | 'published'; voice: VoiceDoc };

/** A voice visible to the organisation, by id or name (case-insensitive): the catalogue, then its own, then published ones. */
export async function findRegistryVoice(voices: Collection<VoiceDoc>, orgId: string, idOrName: string): Promise<RegistryVoice | null> {
  const key = idOrName.trim();
  const curated = catalogVoice(key);
  if (curated) return { kind: 'catalog', voice: curated };
  const byId = VOICE_ID.test(key);
  const own = await voices.findOne(byId ? { _id: key.toLowerCase(), org_id: orgId } : { org_id: orgId, name_key: key.toLowerCase() });
  if (own) return { kind: 'own', voice: own };
  const published = await voices.findOne(byId ? { _id: key.toLowerCase(), public: true } : { public: true, name_key: key.toLowerCase() }, { sort: { published_at: 1 } });
  return published ? { kind: 'published', voice: published } : null;
}

export const sayVoiceOf = (v: RegistryVoice): string => (v.kind === 'catalog' ? v.voice.sayVoice : v.voice.say_voice);
export const speechVoiceOf = (v: RegistryVoice) => (v.kind === 'catalog' ? v.voice.speechVoice : v.voice.speech_voice);

/** The carrier voice (`<Say voice>`) a voice name or id speaks with: a carrier name as given, a registry voice's mapping, or null when unknown. */
export async function carrierVoiceFor(voices: Collection<VoiceDoc>, orgId: string, voice: string): Promise<string | null> {
  const name = voice.trim();
  if (name === '') return null;
  if (isCarrierVoice(name)) return name;
  const found = await findRegistryVoice(voices, orgId, name);
  return found ? sayVoiceOf(found) : null;
}
