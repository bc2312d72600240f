import { Router } from 'express';
import { statusOf } from '../../src/errors';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { getRecording } from '../endpoints/call-actions';
import { ApiError } from '../errors';

/** Seed: `{"status":"error","message":"Error fetching recording"}` for every failure. */
const FETCH_ERROR = 'Error fetching recording';

/** What `accept` may ask for, in order of preference when it allows several (`*\/*` → JSON). */
const MEDIA_TYPES = ['application/json', 'audio/mpeg', 'audio/wav', 'audio/x-wav'] as const;

/**
 * `GET /v1/calls/{call_id}/recording`: the recording's URL as JSON, or with `accept: audio/mpeg` (or
 * `audio/wav`) the audio itself, proxied from the carrier because its media URLs need account auth.
 */
export function callRecordingRouter(deps: ApiDeps): Router {
  const router = Router();
  const { calls } = deps.db.collections;

  mountEndpoint(router, getRecording, async ({ params }, req, res) => {
    const call = (await calls.findOne({ _id: params.call_id, org_id: req.orgId }, { projection: { recording_url: 1, carrier_account_id: 1 } })) as
      | { _id: string; recording_url: string | null; carrier_account_id?: string | null }
      | null;
    if (!call) throw new ApiError(404, FETCH_ERROR, ['Call not found.']);
    if (!call.recording_url) {
      throw new ApiError(404, FETCH_ERROR, ['No recording is available for this call. Recordings exist only for calls created with record: true.']);
    }
    res.vary('accept');
    const wanted = req.accepts([...MEDIA_TYPES]);
    // No usable accept header: the seed's default, the URL.
    if (wanted === false || wanted === 'application/json') {
      res.json({ status: 'success', url: call.recording_url });
      return;
    }

    const format = wanted === 'audio/mpeg' ? 'mp3' : 'wav';
    let audio: { body: Buffer };
    try {
      // A call placed with an encrypted_key keeps its recording on that account.
      const credentials = call.carrier_account_id ? ((await deps.carrierAccounts?.byId(req.orgId, call.carrier_account_id)) ?? null) : null;
      audio = await deps.telephony.fetchRecordingAudio(call.recording_url, format, credentials);
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) throw new ApiError(404, FETCH_ERROR, ['The carrier no longer has this recording.']);
      req.log.warn({ err, carrierStatus: status }, 'recording download failed');
      throw new ApiError(502, FETCH_ERROR, [
        status === undefined ? 'The carrier could not be reached.' : `The carrier answered ${status}.`,
      ]);
    }
    const name = /^[\w-]{1,100}$/.test(call._id) ? call._id : 'recording';
    res.type(wanted).setHeader('content-disposition', `inline; filename="${name}.${format}"`);
    res.send(audio.body);
  });

  return router;
}
