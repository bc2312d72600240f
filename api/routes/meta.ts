import { Router } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { docsPage } from '../docs-page';
import { docs, openApiJson } from '../endpoints/meta';
import { openApiDocument } from '../openapi';

/** GET /openapi.json and GET /docs: the description, built once per app from the endpoints' schemas. */
export function metaRouter(deps: ApiDeps): Router {
  const router = Router();
  const openApi = openApiDocument(deps.publicBaseUrl);
  mountEndpoint(router, openApiJson, (_input, _req, res) => {
    res.json(openApi);
  });
  mountEndpoint(router, docs, (_input, _req, res) => {
    res.type('html').send(docsPage(openApi));
  });
  return router;
}
