import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import type { SpeechVoice } from '../voices/catalog';

/** Text to speech through the official `openai` SDK (`audio.speech.create`); the offline model answers it too. */
export interface SpeechRequest {
  text: string;
  voice: SpeechVoice;
  format: 'mp3' | 'wav';
}

export interface SpeechResult {
  audio: Buffer;
  contentType: string;
  model: string;
  offline: boolean;
}

/** The speech endpoint did not answer in time, could not be reached, or failed; retrying later may work. */
export class SpeechUnavailableError extends Error {
  override name = 'SpeechUnavailableError';
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
  }
}

/** The speech endpoint refused the request (a 4xx): the same request will not do better. */
export class SpeechRejectedError extends Error {
  override name = 'SpeechRejectedError';
}

export interface SpeechModel {
  readonly offline: boolean;
  speak(req: SpeechRequest): Promise<SpeechResult>;
}

export interface OpenAiSpeechModelOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  offline: boolean;
  timeoutMs: number;
}

const CONTENT_TYPES = { mp3: 'audio/mpeg', wav: 'audio/wav' } as const;

/** The SDK's client for one audio model (speech, or speech to text). */
export abstract class OpenAiAudioModel {
  readonly offline: boolean;
  protected readonly client: OpenAI;

  constructor(protected readonly options: OpenAiSpeechModelOptions) {
    this.offline = options.offline;
    // One attempt, bounded: it runs inside an API request (or a live conversation's turn).
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: options.timeoutMs });
  }
}

export class OpenAiSpeechModel extends OpenAiAudioModel implements SpeechModel {

  async speak(req: SpeechRequest): Promise<SpeechResult> {
    const started = performance.now();
    try {
      const res = await this.client.audio.speech.create({ model: this.options.model, voice: req.voice, input: req.text, response_format: req.format });
      const audio = Buffer.from(await res.arrayBuffer());
      return { audio, contentType: CONTENT_TYPES[req.format], model: this.options.model, offline: this.offline };
    } catch (err) {
      throw speechError(err, 'speech model', started, this.options.timeoutMs);
    }
  }
}

/** An audio endpoint's failure through the SDK, classified: unavailable (retry later) or rejected (a 4xx); anything else as it is. */
export function speechError(err: unknown, what: string, started: number, timeoutMs: number): unknown {
  if (err instanceof OpenAI.APIConnectionError) {
    // The SDK reports its own timeout as a connection error where the abort is not recognised (another realm's AbortError), so the clock decides too.
    const timedOut = err instanceof OpenAI.APIConnectionTimeoutError || performance.now() - started >= timeoutMs;
    return new SpeechUnavailableError(timedOut ? `The ${what} did not answer in time.` : `The ${what} could not be reached.`, timedOut);
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) return new SpeechRejectedError(`The ${what} refused the request: ${err.message}`);
    return new SpeechUnavailableError(`The ${what} failed (${status ?? 'no status'}).`, false);
  }
  return err;
}

/** How long a sample may take, the request's only outside call (POST /v1/voices/{id}/sample). */
export const SPEECH_TIMEOUT_MS = 15_000;

export type LlmSettings = { mode: 'openai' | 'offline'; apiKey: string | undefined; baseUrl: string | undefined };

/** At OpenAI (or OPENAI_BASE_URL) with a key, at the offline model otherwise: the chat model's rule. */
export function audioModelOptions(llm: LlmSettings, offlineModelUrl: string, models: { online: string; offline: string }): OpenAiSpeechModelOptions {
  return llm.mode === 'openai'
    ? { apiKey: llm.apiKey ?? 'none', baseURL: llm.baseUrl, model: models.online, offline: false, timeoutMs: SPEECH_TIMEOUT_MS }
    : { apiKey: 'offline', baseURL: offlineModelUrl, model: models.offline, offline: true, timeoutMs: SPEECH_TIMEOUT_MS };
}

export function createSpeechModel(llm: LlmSettings, offlineModelUrl: string): SpeechModel {
  return new OpenAiSpeechModel(audioModelOptions(llm, offlineModelUrl, { online: 'tts-1', offline: 'switchboard-offline-speech' }));
}
