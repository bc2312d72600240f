/**
 * The curated public voices every organisation can use, by name (case-insensitive) or id. Each
 * maps to what the transports speak: `sayVoice` is the carrier's `<Say voice>` (Amazon Polly or
 * Google voices, as Twilio names them) and `speechVoice` is the speech model's voice (OpenAI's
 * `audio/speech` voices), used for samples. The first four ids are the seed's.
 */
export interface CatalogVoice {
  id: string;
  name: string;
  description: string;
  tags: string[];
  /** BCP-47, the language the carrier voice speaks. */
  language: string;
  sayVoice: string;
  speechVoice: SpeechVoice;
}

/** OpenAI's `audio/speech` voices (tts-1 and gpt-4o-mini-tts both speak these). */
export const SPEECH_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer'] as const;
export type SpeechVoice = (typeof SPEECH_VOICES)[number];

const CURATED = 'Bland Curated';

export const VOICE_CATALOG: readonly CatalogVoice[] = [
  { id: '2f9fdbc7-4bf2-4792-8a18-21ce3c93978f', name: 'maya', description: 'Young American Female', tags: ['english', 'soft', CURATED], language: 'en-US', sayVoice: 'Polly.Joanna-Neural', speechVoice: 'nova' },
  { id: '37b3f1c8-a01e-4d70-b251-294733f08371', name: 'ryan', description: 'Professional American Male', tags: ['english', CURATED], language: 'en-US', sayVoice: 'Polly.Matthew-Neural', speechVoice: 'onyx' },
  { id: '90295ec4-f0fe-4783-ab33-8b997ddc3ae4', name: 'mason', description: 'American Male', tags: ['english', CURATED], language: 'en-US', sayVoice: 'Polly.Joey-Neural', speechVoice: 'echo' },
  { id: 'bbeabae6-ec8d-444f-92ad-c8e620d3de8d', name: 'tina', description: 'Gentle American Female', tags: ['english', 'gentle'], language: 'en-US', sayVoice: 'Polly.Salli-Neural', speechVoice: 'shimmer' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f01', name: 'josh', description: 'Casual American Male', tags: ['english', CURATED], language: 'en-US', sayVoice: 'Polly.Stephen-Neural', speechVoice: 'ash' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f02', name: 'june', description: 'Warm American Female', tags: ['english', CURATED], language: 'en-US', sayVoice: 'Google.en-US-Neural2-F', speechVoice: 'coral' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f03', name: 'derek', description: 'Calm American Male', tags: ['english'], language: 'en-US', sayVoice: 'Google.en-US-Neural2-D', speechVoice: 'onyx' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f04', name: 'paige', description: 'Calm American Female', tags: ['english', 'calm'], language: 'en-US', sayVoice: 'Polly.Kendra-Neural', speechVoice: 'sage' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f05', name: 'evelyn', description: 'British Female', tags: ['english', 'british'], language: 'en-GB', sayVoice: 'Polly.Amy-Neural', speechVoice: 'fable' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f06', name: 'florian', description: 'German Male', tags: ['german'], language: 'de-DE', sayVoice: 'Polly.Daniel-Neural', speechVoice: 'echo' },
  { id: '5f0c1b7e-3a4d-4c55-9c1e-7d2b8e6a1f07', name: 'lucia', description: 'Spanish Female', tags: ['spanish'], language: 'es-ES', sayVoice: 'Polly.Lucia-Neural', speechVoice: 'nova' },
];

const byKey = new Map<string, CatalogVoice>();
for (const v of VOICE_CATALOG) {
  byKey.set(v.id, v);
  byKey.set(v.name.toLowerCase(), v);
}

/** A catalogue voice by id or name (case-insensitive). */
export const catalogVoice = (idOrName: string): CatalogVoice | undefined => byKey.get(idOrName.trim().toLowerCase());

/**
 * A voice name as Twilio's `<Say voice>` takes it: the basic voices, Amazon Polly (`Polly.Joanna`,
 * `Polly.Joanna-Neural`, `-Generative`, `-LongForm`) and Google (`Google.en-US-Neural2-F`).
 * Such a name is spoken as given, as it would be with Twilio directly.
 */
const CARRIER_VOICE = /^(?:man|woman|alice|Polly\.[A-Z][A-Za-z]{1,30}(?:-(?:Neural|Generative|LongForm))?|Google\.[a-z]{2,3}-[A-Z]{2}-[A-Za-z0-9]{1,20}(?:-[A-Za-z0-9]{1,20}){1,3})$/;

export const isCarrierVoice = (v: string): boolean => CARRIER_VOICE.test(v);
