import { toFile } from 'openai';
import { performance } from 'node:perf_hooks';
import { audioModelOptions, OpenAiAudioModel, speechError, type LlmSettings } from './speech-model';
import { DEFAULT_TRANSCRIPTION_MODEL } from './transcription';

/**
 * Speech to text for live audio (the browser channel's push-to-talk) through the official `openai`
 * SDK (`audio.transcriptions.create`, plain `json`): one short utterance at a time, bounded like a
 * voice sample. Failures are the speech model's classes: SpeechUnavailableError (retry later) or
 * SpeechRejectedError (a 4xx: the offline stand-in's answer to audio it cannot read).
 */
export interface SpeechRecognizer {
  readonly offline: boolean;
  /** The words in one audio file ('' for none); `filename`'s extension tells the format. */
  recognize(audio: Buffer, filename: string, contentType: string): Promise<{ text: string; model: string; note: string | null }>;
}

export class OpenAiSpeechRecognizer extends OpenAiAudioModel implements SpeechRecognizer {
  async recognize(audio: Buffer, filename: string, contentType: string): Promise<{ text: string; model: string; note: string | null }> {
    const started = performance.now();
    try {
      const file = await toFile(audio, filename, { type: contentType });
      const res = await this.client.audio.transcriptions.create({ model: this.options.model, file, response_format: 'json' });
      // The offline stand-in labels what it answers; a real model does not.
      const note = (res as { x_switchboard_offline?: unknown }).x_switchboard_offline;
      return { text: res.text.trim(), model: this.options.model, note: typeof note === 'string' ? note : null };
    } catch (err) {
      throw speechError(err, 'transcription model', started, this.options.timeoutMs);
    }
  }
}

/** At OpenAI (or OPENAI_BASE_URL) with a key, at the offline model otherwise: the speech model's rule. */
export function createSpeechRecognizer(llm: LlmSettings, offlineModelUrl: string): SpeechRecognizer {
  return new OpenAiSpeechRecognizer(audioModelOptions(llm, offlineModelUrl, { online: DEFAULT_TRANSCRIPTION_MODEL, offline: DEFAULT_TRANSCRIPTION_MODEL }));
}
