import type { Endpoint } from '../contract/endpoint';
import { BATCH_ENDPOINTS } from './batches';
import { CALL_ENDPOINTS } from './calls';
import { PATHWAY_CHAT_ENDPOINTS } from './pathway-chat';
import { PATHWAY_ENDPOINTS } from './pathways';

/** Every endpoint the API serves, described once; `/openapi.json` is generated from this list. */
export const ALL_ENDPOINTS: readonly Endpoint[] = [...CALL_ENDPOINTS, ...BATCH_ENDPOINTS, ...PATHWAY_ENDPOINTS, ...PATHWAY_CHAT_ENDPOINTS];
