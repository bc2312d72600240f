import type { Collection } from 'mongodb';
import { wavFromPcm16 } from '../../src/audio/wav';
import type { SpeechModel } from '../../src/llm/speech-model';
import type { SpeechRecognizer } from '../../src/llm/speech-recognizer';
import { catalogVoice, SPEECH_VOICES, type SpeechVoice } from '../../src/voices/catalog';
import { findRegistryVoice, speechVoiceOf } from '../../src/voices/registry';
import type { VoiceDoc } from '../../src/voices/voice-store';

/**
 * The browser channel's voice: the visitor's push-to-talk audio to text, and the agent's words to
 * audio, both through the official `openai` SDK at the configured model (the offline model's
 * stand-ins in the default setup: a tone code, not speech; see docs/web-agents.md "## Voice").
 */
export interface WebVoice {
  /** A speech model is configured (the offline stand-in counts). */
  readonly enabled: boolean;
  /** PCM16LE mono at sampleRate -> the recognised text ('' when nothing was recognised). */
  transcribe(pcm: Buffer, sampleRate: number): Promise<string>;
  /**
   * The agent's words in the agent's voice: a speech voice as is (alloy, nova, ...), or a registry
   * voice (name or id) mapped to its speech voice; the organisation's own and published voices
   * need `orgId`. No voice, or one without a mapping (a carrier voice name), speaks DEFAULT_SPEECH_VOICE.
   */
  speak(text: string, voice: string | null, orgId?: string): Promise<{ format: 'mp3' | 'wav'; audio: Buffer }>;
}

export interface WebVoiceDeps {
  /** Text to speech (the API's speech model); absent: voice is off. */
  speech: SpeechModel | undefined;
  /** Speech to text; absent: voice is off. */
  recognizer: SpeechRecognizer | undefined;
  /** The voice registry's stored voices (the organisation's own and published ones). */
  voices?: Collection<VoiceDoc>;
  /** What the browser receives; mp3 by default (smaller; every browser plays it). */
  format?: 'mp3' | 'wav';
}

/** The voice an agent without one speaks with (the catalogue's first voice, maya, speaks nova). */
export const DEFAULT_SPEECH_VOICE: SpeechVoice = 'nova';

/** Voice is off: the gateway answers audio with the error code voice_unavailable. */
export class WebVoiceUnavailableError extends Error {
  override name = 'WebVoiceUnavailableError';
}

const MAX_SPEECH_CHARS = 4096;
const isSpeechVoice = (v: string): v is SpeechVoice => (SPEECH_VOICES as readonly string[]).includes(v);

export function createWebVoice(deps: WebVoiceDeps): WebVoice {
  const { speech, recognizer } = deps;
  const format = deps.format ?? 'mp3';

  async function speechVoice(voice: string | null, orgId: string | undefined): Promise<SpeechVoice> {
    const name = voice?.trim() ?? '';
    if (name === '') return DEFAULT_SPEECH_VOICE;
    if (isSpeechVoice(name.toLowerCase())) return name.toLowerCase() as SpeechVoice;
    const curated = catalogVoice(name);
    if (curated) return curated.speechVoice;
    const found = deps.voices && orgId ? await findRegistryVoice(deps.voices, orgId, name) : null;
    return found ? speechVoiceOf(found) : DEFAULT_SPEECH_VOICE;
  }

  return {
    enabled: Boolean(speech && recognizer),
    async transcribe(pcm, sampleRate) {
      if (!recognizer) throw new WebVoiceUnavailableError('No speech model is configured.');
      if (pcm.length < 2) return '';
      const { text } = await recognizer.recognize(wavFromPcm16(pcm, sampleRate), 'utterance.wav', 'audio/wav');
      return text;
    },
    async speak(text, voice, orgId) {
      if (!speech) throw new WebVoiceUnavailableError('No speech model is configured.');
      // The speech endpoint takes at most 4,096 characters (OpenAI's limit, kept by the stand-in).
      const result = await speech.speak({ text: text.slice(0, MAX_SPEECH_CHARS), voice: await speechVoice(voice, orgId), format });
      return { format, audio: result.audio };
    },
  };
}
