import { join } from 'node:path';
import express, { type Express } from 'express';
import type { ApiDeps } from './deps';
import { requireAdminKey, requireApiKey } from './middleware/auth';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { jsonBody } from './middleware/json-body';
import { orgRateLimit, WORK_ROUTES } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { accountsRouter } from './routes/accounts';
import { adminRouter } from './routes/admin';
import { agentsRouter } from './routes/agents';
import { batchesRouter, DEFAULT_BATCH_SETTINGS } from './routes/batches';
import { batchesAnalysisRouter } from './routes/batches-analysis';
import { batchesControlRouter } from './routes/batches-control';
import { callReplayRouter } from './routes/call-replay';
import { callAnalysisRouter } from './routes/call-analysis';
import { callControlRouter } from './routes/call-control';
import { callCorrectRouter } from './routes/call-correct';
import { callEventsRouter } from './routes/call-events';
import { callRecordingRouter } from './routes/call-recording';
import { callsRouter } from './routes/calls';
import { healthRouter } from './routes/health';
import { numbersRouter } from './routes/numbers';
import { inboundLookupBodyParsers, inboundLookupRouter } from './routes/inbound-lookup';
import { inboundSessionRouter } from './routes/inbound-session';
import { KB_BODY_LIMIT_BYTES } from './endpoints/knowledge-bases';
import { knowledgeBasesRouter } from './routes/knowledge-bases';
import { metaRouter } from './routes/meta';
import { pathwayChatRouter } from './routes/pathway-chat';
import { pathwayFoldersRouter } from './routes/pathway-folders';
import { pathwayVersionsRouter } from './routes/pathway-versions';
import { pathwaysRouter } from './routes/pathways';
import { twilioWebhooksRouter } from './routes/telephony-twilio';
import { sessionWebhooksRouter } from './routes/session-webhooks';
import { sessionsRouter } from './routes/sessions';
import { trunksRouter } from './routes/trunks';
import { dynamicDataRouter } from './routes/dynamic-data';
import { toolsRouter } from './routes/tools';
import { voicesRouter } from './routes/voices';
import { webhookSecretRouter } from './routes/webhook-secret';
import { webDemoRouter } from './routes/web-demo';
import { createAuthFailureGuard } from '../src/rate-limit/auth-failures';
import { createWindowCounters } from '../src/rate-limit/counters';
import { createOrgLimiter } from '../src/rate-limit/org-limits';
import { DEFAULT_RATE_LIMITS } from '../src/rate-limit/settings';
import { storeErrorReporter } from '../src/rate-limit/store-errors';

/** The embeddable web client and page, served at /web/. */
const WEB_DIR = join(__dirname, '..', 'web');

/** The HTTP API, without listening: main-api.ts and the tests mount it. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  // Rate limits live in the store, shared by every API process; the blocks one has seen are its own.
  const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
  const reportStoreError = storeErrorReporter(deps.logger);
  const counters = createWindowCounters(deps.db.collections.rateLimits, reportStoreError);
  const authFailures = createAuthFailureGuard({ counters, limits, reportStoreError });
  const orgLimits = orgRateLimit(createOrgLimiter({ counters, limits, reportStoreError }));
  const apiKey = requireApiKey(deps.db, authFailures);
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.use(requestContext(deps.logger));

  app.use(healthRouter(deps));
  // The browser channel's client and page (web/): public static files, no key (docs/web-agents.md).
  app.use('/web', express.static(WEB_DIR, { index: false, dotfiles: 'ignore', maxAge: '5m', setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff') }));
  app.use(metaRouter(deps));
  // Carrier webhooks are form-encoded and authenticated by signature, not API key.
  app.use(twilioWebhooksRouter(deps));
  app.use(sessionWebhooksRouter(deps));
  // Any other carrier webhook path is not one: a 404, not a demand for an API key.
  app.use('/v1/telephony', notFoundHandler());

  // Authenticate before parsing, so an unauthenticated request costs no body parsing.
  app.use('/v1/admin', requireAdminKey(deps.adminApiKey, authFailures));
  app.use('/v1', (req, res, next) => (/^\/admin(\/|$)/.test(req.path) ? next() : apiKey(req, res, next)));
  // Per-organisation limits, also before parsing: a refused request costs one counter update.
  app.post(WORK_ROUTES, orgLimits.markWork);
  app.use('/v1', orgLimits.limitOrg);
  // Knowledge bases are also at /vectors (Bland's kb host), outside /v1: the same key check and limits.
  app.use('/vectors', apiKey, orgLimits.limitOrg);
  // The Sessions API (seed 001) is at /sessions as well as /v1/sessions: the same key check and limits.
  app.use('/sessions', apiKey, orgLimits.limitOrg);
  // Only POST /v1/batches takes large bodies (100,000 rows are several MB): BATCH_BODY_LIMIT_BYTES.
  app.post('/v1/batches', jsonBody((deps.batches ?? DEFAULT_BATCH_SETTINGS).bodyLimitBytes));
  // A number's lookup CSV (up to 1 MiB) comes as text/csv or inside JSON.
  app.post('/v1/inbound/:phone_number/lookup', ...inboundLookupBodyParsers());
  // A knowledge base's text is up to 1 MiB: KB_BODY_LIMIT_BYTES leaves room for JSON escapes.
  app.post(['/vectors', '/vectors/:vector_id', '/v1/vectors', '/v1/vectors/:vector_id'], jsonBody(KB_BODY_LIMIT_BYTES));
  app.use(jsonBody(deps.bodyLimitBytes));
  app.use(adminRouter(deps));
  app.use(callControlRouter(deps));
  app.use(callRecordingRouter(deps));
  app.use(callCorrectRouter(deps));
  app.use(callsRouter(deps));
  app.use(callEventsRouter(deps));
  app.use(callAnalysisRouter(deps));
  app.use(webhookSecretRouter(deps));
  app.use(accountsRouter(deps));
  app.use(numbersRouter(deps, [apiKey, orgLimits.limitOrg]));
  // After the numbers: they pass /v1/inbound/session on, and leave /v1/inbound/{number}/lookup alone.
  app.use(inboundSessionRouter(deps));
  app.use(inboundLookupRouter(deps));
  // Folders before pathways: /v1/pathway/folders is not a pathway id.
  app.use(pathwayChatRouter(deps));
  app.use(pathwayFoldersRouter(deps));
  app.use(pathwayVersionsRouter(deps));
  app.use(pathwaysRouter(deps));
  app.use(batchesRouter(deps));
  app.use(batchesControlRouter(deps));
  app.use(batchesAnalysisRouter(deps));
  app.use(callReplayRouter(deps));
  app.use(toolsRouter(deps));
  app.use(dynamicDataRouter(deps));
  app.use(voicesRouter(deps));
  app.use(knowledgeBasesRouter(deps));
  app.use(sessionsRouter(deps));
  app.use(trunksRouter(deps));
  app.use(agentsRouter(deps));
  app.use(webDemoRouter(deps));

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
