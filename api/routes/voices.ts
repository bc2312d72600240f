import { Router, type Response } from 'express';
import type { z } from 'zod';
import { isDuplicateKeyError } from '../../src/db/database';
import { SpeechRejectedError, SpeechUnavailableError } from '../../src/llm/speech-model';
import { catalogVoiceView, ownVoiceView, type VoiceView } from '../../src/presenters/voice';
import type { SpeechVoice } from '../../src/voices/catalog';
import { newVoiceId, type VoiceDoc } from '../../src/voices/voice-store';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createVoice, deleteVoice, deleteVoicePost, getVoice, listVoices, patchVoice, publishVoice, sampleVoice, updateVoice, updateVoiceBody } from '../endpoints/voices';
import { ApiError, badRequest, conflict, notFound, unavailable } from '../errors';
import { findOwnVoice, findVoice, listVoices as registry, sayVoiceOf, speechVoiceOf, VOICE_HELP, type RegistryVoice } from '../services/voices';

const view = (v: RegistryVoice, orgId: string): VoiceView => (v.kind === 'catalog' ? catalogVoiceView(v.voice) : ownVoiceView(v.voice, orgId));

/** What a create or update body maps the voice to: say_voice/speech_voice, else the base voice's. */
async function mapping(
  deps: ApiDeps,
  orgId: string,
  body: { say_voice?: string | null; speech_voice?: SpeechVoice | null; base_voice?: string | null; language?: string | null },
): Promise<Partial<Pick<VoiceDoc, 'say_voice' | 'speech_voice' | 'language'>>> {
  const out: Partial<Pick<VoiceDoc, 'say_voice' | 'speech_voice' | 'language'>> = {};
  if (body.base_voice) {
    const base = await findVoice(deps, orgId, body.base_voice);
    if (!base) throw badRequest([`base_voice: "${body.base_voice.slice(0, 60)}" is not a known voice. ${VOICE_HELP}`]);
    out.say_voice = sayVoiceOf(base);
    out.speech_voice = speechVoiceOf(base);
    out.language = base.voice.language;
  }
  if (body.say_voice) out.say_voice = body.say_voice;
  if (body.speech_voice) out.speech_voice = body.speech_voice;
  if (body.language) out.language = body.language;
  return out;
}

/** A name no voice the organisation can use already answers to (a curated name, or its own). */
async function checkName(deps: ApiDeps, orgId: string, name: string, self: string | null): Promise<void> {
  const taken = await findVoice(deps, orgId, name);
  if (taken?.kind === 'catalog') throw conflict(`"${name}" is the name of a curated voice; choose another name.`);
  if (taken?.kind === 'own' && taken.voice._id !== self) throw conflict(`A voice named "${name}" already exists; choose another name.`);
}

/** A published name is unique among public voices, so a name resolves to one voice for everyone. */
async function checkPublicName(deps: ApiDeps, doc: Pick<VoiceDoc, '_id' | 'name_key' | 'name'>): Promise<void> {
  const clash = await deps.db.collections.voices.findOne({ public: true, name_key: doc.name_key, _id: { $ne: doc._id } }, { projection: { _id: 1 } });
  if (clash) throw conflict(`A public voice named "${doc.name}" already exists; rename this voice before publishing it.`);
}

const withWarnings = (res: Response, body: Record<string, unknown>, warnings: string[]) => res.json({ ...body, ...(warnings.length > 0 ? { warnings } : {}) });

/**
 * Voices (seed 003 "Voices"): the registry a call's `voice` resolves through (api/services/voices.ts),
 * the organisation's own voices, publishing, and samples through the speech model.
 */
export function voicesRouter(deps: ApiDeps): Router {
  const router = Router();
  const { voices } = deps.db.collections;

  mountEndpoint(router, listVoices, async (_input, req, res) => {
    res.json({ status: 'success', voices: (await registry(deps, req.orgId)).map((v) => view(v, req.orgId)) });
  });

  mountEndpoint(router, getVoice, async ({ params }, req, res) => {
    const found = await findVoice(deps, req.orgId, params.id);
    if (!found) throw notFound('Voice not found.');
    res.json({ status: 'success', voice: view(found, req.orgId) });
  });

  mountEndpoint(router, createVoice, async ({ body }, req, res) => {
    const name = (body.voice_name ?? body.name ?? '').trim();
    await checkName(deps, req.orgId, name, null);
    const mapped = await mapping(deps, req.orgId, body);
    const now = new Date();
    const doc: VoiceDoc = {
      _id: newVoiceId(), org_id: req.orgId, name, name_key: name.toLowerCase(),
      description: body.description ?? '', tags: body.tags ?? [], language: mapped.language ?? 'en-US',
      say_voice: mapped.say_voice!, speech_voice: mapped.speech_voice ?? 'alloy',
      public: false, published_at: null, created_at: now, updated_at: now,
    };
    try {
      await voices.insertOne(doc);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw conflict(`A voice named "${name}" already exists; choose another name.`);
      throw err;
    }
    withWarnings(res, { status: 'success', message: 'Voice created.', voice: ownVoiceView(doc, req.orgId) }, body.warnings);
  });

  const update = async ({ params, body }: { params: { id: string }; body: z.output<typeof updateVoiceBody> }, orgId: string, res: Response) => {
    const doc = await findOwnVoice(deps, orgId, params.id);
    const name = (body.voice_name ?? body.name)?.trim();
    if (name !== undefined && name.toLowerCase() !== doc.name_key) await checkName(deps, orgId, name, doc._id);
    const changes: Partial<VoiceDoc> = { ...(await mapping(deps, orgId, body)), updated_at: new Date() };
    if (name !== undefined) Object.assign(changes, { name, name_key: name.toLowerCase() });
    if (body.description != null) changes.description = body.description;
    if (body.tags != null) changes.tags = body.tags;
    const next = { ...doc, ...changes };
    if (next.public && next.name_key !== doc.name_key) await checkPublicName(deps, next);
    try {
      await voices.updateOne({ _id: doc._id, org_id: orgId }, { $set: changes });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw conflict(`A voice named "${name}" already exists; choose another name.`);
      throw err;
    }
    withWarnings(res, { status: 'success', message: 'Voice updated.', voice: ownVoiceView(next, orgId) }, body.warnings);
  };
  mountEndpoint(router, updateVoice, (input, req, res) => update(input, req.orgId, res));
  mountEndpoint(router, patchVoice, (input, req, res) => update(input, req.orgId, res));

  const remove = async (id: string, orgId: string, res: Response) => {
    const doc = await findOwnVoice(deps, orgId, id);
    await voices.deleteOne({ _id: doc._id, org_id: orgId });
    res.json({ status: 'success', message: 'Voice deleted.', voice: doc._id });
  };
  mountEndpoint(router, deleteVoice, ({ params }, req, res) => remove(params.id, req.orgId, res));
  mountEndpoint(router, deleteVoicePost, ({ params }, req, res) => remove(params.id, req.orgId, res));

  mountEndpoint(router, publishVoice, async ({ params }, req, res) => {
    const found = await findVoice(deps, req.orgId, params.id);
    if (found?.kind === 'catalog') throw badRequest([`"${found.voice.name}" is a curated voice; it is already public.`], 'Already public');
    if (!found || found.kind !== 'own') throw notFound('Voice not found.');
    const doc = found.voice;
    if (!doc.public) {
      await checkPublicName(deps, doc);
      const now = new Date();
      await voices.updateOne({ _id: doc._id, org_id: req.orgId }, { $set: { public: true, published_at: now, updated_at: now } });
      Object.assign(doc, { public: true, published_at: now, updated_at: now });
    }
    res.json({ status: 'success', message: 'Voice published successfully', voice: ownVoiceView(doc, req.orgId) });
  });

  mountEndpoint(router, sampleVoice, async ({ params, body }, req, res) => {
    const found = await findVoice(deps, req.orgId, params.id);
    if (!found) throw notFound('Voice not found.');
    if (!deps.speech) throw unavailable('Samples need a speech model, which this deployment does not have.');
    try {
      const out = await deps.speech.speak({ text: body.text, voice: speechVoiceOf(found), format: body.format ?? 'mp3' });
      res.set('cache-control', 'no-store');
      res.set('x-switchboard-speech-voice', speechVoiceOf(found));
      if (out.offline) res.set('x-switchboard-offline-speech', 'tone stand-in, not speech');
      res.type(out.contentType).send(out.audio);
    } catch (err) {
      if (err instanceof SpeechUnavailableError) throw new ApiError(err.timedOut ? 504 : 502, err.message);
      if (err instanceof SpeechRejectedError) throw new ApiError(502, 'The speech model refused the sample.', [err.message]);
      throw err;
    }
  });

  return router;
}
