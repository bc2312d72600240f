import { ApplicationFailure } from '@temporalio/common';
import { correctedTranscripts, type CorrectedTranscriptDoc } from '../src/db/corrected-transcripts';
import { classifyVendorError } from '../src/errors';
import { alignSegments } from '../src/transcripts/align';
import type { ActivityDeps } from './deps';

export interface CorrectTranscriptInput {
  orgId: string;
  callId: string;
}

export interface CorrectTranscriptResult {
  segments: number;
}

/**
 * GET /v1/calls/{id}/correct's durable work (workflow correct-<call_id>): the call's recording,
 * downloaded from the carrier as MP3 (a fifth of a WAV's size, well inside the 25 MB a
 * transcription may send), transcribed with segment timestamps, each segment given the speaker of
 * the transcript line it matches, stored once. A carrier or model 4xx fails for good; the rest is
 * retried by the workflow's policy.
 */
export function createCorrectedTranscriptActivities({ db, telephony, chat, carrierAccounts }: ActivityDeps) {
  const store = correctedTranscripts(db);

  async function correctCallTranscript({ orgId, callId }: CorrectTranscriptInput): Promise<CorrectTranscriptResult> {
    const call = (await db.collections.calls.findOne(
      { _id: callId, org_id: orgId },
      { projection: { recording_url: 1, carrier_account_id: 1 } },
    )) as { recording_url: string | null; carrier_account_id?: string | null } | null;
    if (!call) throw ApplicationFailure.nonRetryable(`call ${callId} has no record`, 'CallRecordMissing');
    if (!call.recording_url) throw ApplicationFailure.nonRetryable('The call has no recording.', 'NoRecording');

    const credentials = call.carrier_account_id ? ((await carrierAccounts?.byId(orgId, call.carrier_account_id)) ?? null) : null;
    let audio: { body: Buffer; contentType: string };
    try {
      audio = await telephony.fetchRecordingAudio(call.recording_url, 'mp3', credentials);
    } catch (err) {
      return classifyVendorError(err, 'RecordingDownload');
    }
    const transcription = await chat.transcribe({ audio: audio.body, filename: `${callId.replace(/[^\w-]/g, '_').slice(0, 100) || 'recording'}.mp3`, contentType: 'audio/mpeg' });

    const lines = await db.collections.transcripts
      .find({ org_id: orgId, call_id: callId }, { projection: { text: 1, user: 1, seq: 1 } })
      .sort({ seq: 1 })
      .toArray();
    const doc: CorrectedTranscriptDoc = {
      _id: callId,
      org_id: orgId,
      status: 'complete',
      segments: alignSegments(transcription.segments, lines),
      model: transcription.model,
      note: transcription.note,
      error: null,
      created_at: new Date(),
    };
    // Whole or nothing: one document, replaced as a unit if a retried attempt writes it again.
    await store.replaceOne({ _id: callId, org_id: orgId }, doc, { upsert: true });
    return { segments: doc.segments.length };
  }

  /** Records why the correction failed for good, so readers get an answer instead of waiting forever. */
  async function recordCorrectionFailure({ orgId, callId, message }: CorrectTranscriptInput & { message: string }): Promise<void> {
    await store.updateOne(
      { _id: callId, org_id: orgId, status: { $ne: 'complete' } },
      { $setOnInsert: { segments: [], model: null, note: null, created_at: new Date() }, $set: { status: 'failed', error: message } },
      { upsert: true },
    );
  }

  return { correctCallTranscript, recordCorrectionFailure };
}
