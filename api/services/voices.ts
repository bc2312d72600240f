import { VOICE_CATALOG } from '../../src/voices/catalog';
import { carrierVoiceFor, findRegistryVoice, sayVoiceOf, speechVoiceOf, type RegistryVoice } from '../../src/voices/registry';
import type { VoiceDoc } from '../../src/voices/voice-store';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';

/**
 * The voice registry: the curated catalogue (in code), the organisation's own voices, and voices
 * other organisations have published. A call's `voice` is resolved here, before anything is stored
 * or started, to the carrier voice its `<Say>` speaks; the workflow input carries that name.
 */

export type { RegistryVoice };
export { sayVoiceOf, speechVoiceOf };

export const VOICE_HELP = 'GET /v1/voices lists the voices you can use, by name or id; a carrier voice name such as Polly.Joanna-Neural or Google.en-US-Neural2-F is also accepted as is.';

/** Newest first, bounded: a registry is small, and a listing never grows without limit. */
const MAX_LISTED = 500;

/** A voice visible to the organisation, by id or name (case-insensitive): catalogue, then its own, then published ones. */
export const findVoice = (deps: ApiDeps, orgId: string, idOrName: string): Promise<RegistryVoice | null> => findRegistryVoice(deps.db.collections.voices, orgId, idOrName);

/** An organisation's own voice by id or name; anything else (another organisation's, a catalogue voice) is a 404. */
export async function findOwnVoice(deps: ApiDeps, orgId: string, idOrName: string): Promise<VoiceDoc> {
  const found = await findVoice(deps, orgId, idOrName.replace(/^\$/, ''));
  if (!found || found.kind !== 'own') throw notFound('Voice not found.');
  return found.voice;
}

/** The catalogue, the organisation's own voices and published ones. */
export async function listVoices(deps: ApiDeps, orgId: string): Promise<RegistryVoice[]> {
  const docs = await deps.db.collections.voices
    .find({ $or: [{ org_id: orgId }, { public: true }] })
    .sort({ created_at: -1 })
    .limit(MAX_LISTED)
    .toArray();
  return [
    ...VOICE_CATALOG.map((voice): RegistryVoice => ({ kind: 'catalog', voice })),
    ...docs.map((voice): RegistryVoice => ({ kind: voice.org_id === orgId ? 'own' : 'published', voice })),
  ];
}

/**
 * The `<Say voice>` a request's `voice` speaks: a registry voice's carrier voice, or a carrier voice
 * name as given. Absent (or null) is no voice: the carrier's default. Anything else is a 400.
 */
export async function resolveCarrierVoice(deps: ApiDeps, orgId: string, voice: unknown, field = 'voice'): Promise<string | undefined> {
  if (voice === undefined || voice === null) return undefined;
  if (typeof voice !== 'string' || voice.trim() === '') throw badRequest([`${field} must be a voice name or id. ${VOICE_HELP}`]);
  const carrier = await carrierVoiceFor(deps.db.collections.voices, orgId, voice);
  if (!carrier) throw badRequest([`${field}: "${voice.slice(0, 60)}" is not a known voice. ${VOICE_HELP}`], 'Unknown voice');
  return carrier;
}

/** For a resolved call configuration: `{voice}` when the body names one. */
export async function callVoice(deps: ApiDeps, orgId: string, body: Record<string, unknown>): Promise<{ voice?: string }> {
  const voice = await resolveCarrierVoice(deps, orgId, body.voice);
  return voice ? { voice } : {};
}
