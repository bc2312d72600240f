import { CorrectedTranscriptSchema, CorrectionProcessingSchema } from '../../src/presenters/corrected-transcript';
import { endpoint } from '../contract/endpoint';
import { CallIdParams } from './calls';

export const getCorrectedTranscript = endpoint({
  method: 'get',
  path: '/v1/calls/{call_id}/correct',
  summary: 'Corrected transcript',
  description:
    "The call's words as heard in its recording, with start and end times in seconds and a speaker (0 the agent, 1 the other party), " +
    'made after the call by transcribing the recording (calls created with `record: true`). The first request starts the work and answers 202 ' +
    '`processing`, as does a call still in progress; ask again until `success`. A call without a recording is a 404. See docs/api.md, "Corrected transcripts".',
  tags: ['Calls'],
  access: 'apiKey',
  params: CallIdParams,
  responses: {
    200: { description: '`{status: "success", message, corrected, aligned}`', schema: CorrectedTranscriptSchema },
    202: { description: '`{status: "processing", message, corrected: []}`: being made, or the call has not ended', schema: CorrectionProcessingSchema },
  },
  errors: [404, 502, 503],
});

export const CALL_CORRECT_ENDPOINTS = [getCorrectedTranscript];
