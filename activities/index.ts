import { createAgentTurnActivities } from './agent-turn';
import { createBatchActivities } from './batch';
import { createBatchChildrenActivities } from './batch-children';
import { createCallRecordActivities } from './call-records';
import { createCorrectedTranscriptActivities } from './corrected-transcript';
import type { ActivityDeps } from './deps';
import { createInboundActivities } from './inbound';
import { createKnowledgeBaseActivities } from './knowledge-base';
import { createPathwayTurnActivities } from './pathway-turn';
import { createPostCallActivities } from './post-call';
import { createSessionActivities } from './sessions';
import { createTelephonyActivities } from './telephony';
import { createToolActivities } from './tools';
import { createDynamicDataActivities } from './dynamic-data';
import { createWebhookDeliveryActivities } from './webhook-delivery';
import { createWebhookNodeActivities } from './webhook-node';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCallRecordActivities(deps),
    ...createTelephonyActivities(deps),
    ...createAgentTurnActivities(deps),
    ...createPostCallActivities(deps),
    ...createWebhookDeliveryActivities(deps),
    ...createToolActivities(deps),
    ...createDynamicDataActivities(deps),
    ...createBatchActivities(deps),
    ...createBatchChildrenActivities(),
    ...createPathwayTurnActivities(deps),
    ...createWebhookNodeActivities(deps),
    ...createInboundActivities(deps),
    ...createKnowledgeBaseActivities(deps),
    ...createCorrectedTranscriptActivities(deps),
    ...createSessionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
