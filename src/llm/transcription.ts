/** Speech to text with timestamps: what a corrected transcript is made from (src/transcripts/). */

export interface TranscriptionRequest {
  audio: Buffer;
  /** The file name sent with the audio; its extension tells the service the format. */
  filename: string;
  contentType: string;
}

export interface TranscribedSegment {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  text: string;
}

export interface TranscriptionResult {
  segments: TranscribedSegment[];
  model: string;
  /** What the answering service said about itself when it is a stand-in (the offline model labels its answers). */
  note: string | null;
  elapsedMs: number;
}

/** The transcription model: whisper-1 answers `verbose_json` with segment timestamps. */
export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';
