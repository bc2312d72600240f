import { Router } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { getCorrectedTranscript } from '../endpoints/call-correct';
import { getCorrection } from '../services/call-correct';

/** `GET /v1/calls/{call_id}/correct`: the recording's transcript with times and speakers (api/services/call-correct.ts). */
export function callCorrectRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, getCorrectedTranscript, async ({ params }, req, res) => {
    const answer = await getCorrection(deps, req.orgId, params.call_id);
    res.status(answer.httpStatus).json(answer.body);
  });
  return router;
}
