import { z } from 'zod';
import { VoiceSchema } from '../../src/presenters/voice';
import { isCarrierVoice, SPEECH_VOICES } from '../../src/voices/catalog';
import { VOICE_ID } from '../../src/voices/voice-store';
import { arr, enumOf, obj, optional, str, text } from '../../src/validation/fields';
import { pathId, success, warnings } from '../contract/common';
import { endpoint } from '../contract/endpoint';

const tags = ['Voices'];

/** The longest text a sample speaks (the seed's limit). */
export const SAMPLE_TEXT_MAX = 200;

const VoiceParams = z.object({ id: pathId("The voice's id or name (case-insensitive), e.g. `maya`") });

/** A name a call's `voice` can use: not an id, not a carrier voice name, printable. */
const voiceName = (max = 60) =>
  text(max).superRefine((v, ctx) => {
    const name = v.trim();
    if (!/^[\p{L}\p{N}][\p{L}\p{N} _.'-]*$/u.test(name)) ctx.addIssue({ code: 'custom', message: "voice_name may contain letters, digits, spaces and _ . ' - (starting with a letter or digit)." });
    else if (VOICE_ID.test(name)) ctx.addIssue({ code: 'custom', message: 'voice_name must not be a UUID (ids are given by the API).' });
    else if (isCarrierVoice(name)) ctx.addIssue({ code: 'custom', message: 'voice_name must not be a carrier voice name; give that as say_voice.' });
  });

const sayVoice = () =>
  str(100).refine((v) => isCarrierVoice(v), {
    error: 'say_voice must be a carrier voice name as Twilio <Say> takes it: man, woman, alice, Polly.<Name>[-Neural|-Generative|-LongForm] or Google.<lang>-<REGION>-<Name>.',
  });

const VOICE_FIELDS = ['voice_name', 'name', 'description', 'tags', 'language', 'say_voice', 'speech_voice', 'base_voice'] as const;

const voiceFields = {
  voice_name: optional(voiceName()).describe("The voice's name, unique within the organisation; calls use it as `voice`"),
  name: optional(voiceName()).describe('Read when `voice_name` is absent'),
  description: optional(str(500)),
  tags: optional(arr(20, text(40))),
  language: optional(str(20).regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, { error: 'language must be a language tag such as en-US.' })),
  say_voice: optional(sayVoice()).describe("The carrier voice a call's <Say> speaks, e.g. Polly.Joanna-Neural"),
  speech_voice: optional(enumOf(SPEECH_VOICES)).describe("The speech model's voice for samples; default: the base voice's, else alloy"),
  base_voice: optional(str(200)).describe('A voice you can use (name or id) whose carrier and speech voices this one takes unless say_voice/speech_voice are given'),
};

/** Fields Bland's clients may send that mean nothing here (voice_id, reduce_latency, voice_settings…): accepted and named in `warnings`. */
const withWarnings = <T extends Record<string, unknown>>(v: T) => {
  const ignored = Object.keys(v).filter((k) => !(VOICE_FIELDS as readonly string[]).includes(k));
  return { ...v, warnings: ignored.length > 0 ? [`Fields not used: ${ignored.slice(0, 10).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}.`] : [] };
};

export const createVoiceBody = z
  .looseObject(voiceFields, { error: 'Request body must be a JSON object.' })
  .superRefine((v, ctx) => {
    if (!v.voice_name && !v.name) ctx.addIssue({ code: 'custom', message: 'Missing required parameter: voice_name.' });
    if (!v.say_voice && !v.base_voice) ctx.addIssue({ code: 'custom', message: 'Either say_voice (a carrier voice such as Polly.Joanna-Neural) or base_voice (a voice from GET /v1/voices) is required.' });
  })
  .transform(withWarnings);

export const updateVoiceBody = z.looseObject(voiceFields, { error: 'Request body must be a JSON object.' }).transform(withWarnings);

export const sampleBody = z.looseObject(
  {
    text: text(SAMPLE_TEXT_MAX).describe(`The text to speak, at most ${SAMPLE_TEXT_MAX} characters`),
    format: optional(enumOf(['mp3', 'wav'] as const)).meta({ default: 'mp3' }),
    voice_settings: optional(obj(4096)).describe('Accepted; not used'),
    language: optional(str(20)).describe('Accepted; not used (the voice speaks its own language)'),
  },
  { error: 'Request body must be a JSON object.' },
);

const voiceAnswer = (description: string) => ({ description, schema: success({ voice: VoiceSchema, warnings }) });

export const listVoices = endpoint({
  method: 'get',
  path: '/v1/voices',
  summary: 'List voices',
  description: "The curated voices, the organisation's own and voices other organisations have published. Query parameters are ignored.",
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'The voices', schema: success({ voices: z.array(VoiceSchema) }) } },
});

export const getVoice = endpoint({
  method: 'get',
  path: '/v1/voices/{id}',
  summary: 'Voice details',
  description: 'By id or name (case-insensitive).',
  tags,
  access: 'apiKey',
  params: VoiceParams,
  responses: { 200: voiceAnswer('The voice') },
  errors: [404],
});

export const createVoice = endpoint({
  method: 'post',
  path: '/v1/voices',
  summary: 'Add a voice of your own',
  description: 'A name of your choosing mapped to a carrier voice (say_voice, or base_voice\'s) and a speech-model voice. Private until published.',
  tags,
  access: 'apiKey',
  body: createVoiceBody,
  responses: { 200: voiceAnswer('Created') },
  errors: [409],
});

const updateSpec = {
  summary: 'Update a voice of your own',
  description: 'Changes only the fields sent. Calls already placed keep the carrier voice they started with.',
  tags,
  access: 'apiKey' as const,
  params: VoiceParams,
  body: updateVoiceBody,
  responses: { 200: voiceAnswer('Updated') },
  errors: [404, 409],
};
export const updateVoice = endpoint({ method: 'post', path: '/v1/voices/{id}', ...updateSpec });
export const patchVoice = endpoint({ method: 'patch', path: '/v1/voices/{id}', ...updateSpec });

const deleteSpec = {
  summary: 'Delete a voice of your own',
  description: 'Calls already placed keep their voice; new calls naming it are refused (400).',
  tags,
  access: 'apiKey' as const,
  params: VoiceParams,
  responses: { 200: { description: 'Deleted', schema: success({ voice: z.string().describe('The deleted voice id') }) } },
  errors: [404],
};
export const deleteVoice = endpoint({ method: 'delete', path: '/v1/voices/{id}', ...deleteSpec });
export const deleteVoicePost = endpoint({ method: 'post', path: '/v1/voices/{id}/delete', ...deleteSpec });

export const publishVoice = endpoint({
  method: 'post',
  path: '/v1/voices/{id}/publish',
  summary: 'Publish a voice of your own',
  description: 'Makes it public: every organisation can list it and use it by id or name. A curated voice is already public (400).',
  tags,
  access: 'apiKey',
  params: VoiceParams,
  responses: { 200: voiceAnswer('Published') },
  errors: [404, 409],
});

export const sampleVoice = endpoint({
  method: 'post',
  path: '/v1/voices/{id}/sample',
  summary: 'Generate an audio sample',
  description:
    `Speaks \`text\` (at most ${SAMPLE_TEXT_MAX} characters) in the voice through the speech model, synchronously, bounded at 15 s: ` +
    'a slower or failing speech model is a 504 or 502. Offline, the audio is a labelled tone stand-in (header x-switchboard-offline-speech).',
  tags,
  access: 'apiKey',
  params: VoiceParams,
  body: sampleBody,
  responses: {
    200: { description: 'The audio (audio/mpeg, or audio/wav with format: "wav")', contentType: 'audio/mpeg' },
  },
  errors: [404, 502, 503, 504],
});

export const VOICE_ENDPOINTS = [listVoices, getVoice, createVoice, updateVoice, patchVoice, deleteVoice, deleteVoicePost, publishVoice, sampleVoice];
