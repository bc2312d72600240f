import type { Endpoint } from '../contract/endpoint';
import { ACCOUNT_ENDPOINTS } from './accounts';
import { AGENT_ENDPOINTS } from './agents';
import { ADMIN_ENDPOINTS } from './admin';
import { ANALYSIS_ENDPOINTS } from './analysis';
import { BATCH_ENDPOINTS } from './batches';
import { CALL_ACTION_ENDPOINTS } from './call-actions';
import { CALL_CORRECT_ENDPOINTS } from './call-correct';
import { CALL_ENDPOINTS } from './calls';
import { META_ENDPOINTS } from './meta';
import { INBOUND_LOOKUP_ENDPOINTS } from './inbound-lookup';
import { INBOUND_SESSION_ENDPOINTS } from './inbound-session';
import { KNOWLEDGE_BASE_ENDPOINTS } from './knowledge-bases';
import { NUMBER_ENDPOINTS } from './numbers';
import { PATHWAY_CHAT_ENDPOINTS } from './pathway-chat';
import { PATHWAY_ENDPOINTS } from './pathways';
import { SESSION_ENDPOINTS } from './sessions';
import { TRUNK_ENDPOINTS } from './trunks';
import { TELEPHONY_ENDPOINTS } from './telephony';
import { TOOL_ENDPOINTS } from './tools';
import { VOICE_ENDPOINTS } from './voices';
import { WEB_DEMO_ENDPOINTS } from './web-demo';

/** Every endpoint the API serves, described once; `/openapi.json` is generated from this list. */
export const ALL_ENDPOINTS: readonly Endpoint[] = [...CALL_ENDPOINTS, ...BATCH_ENDPOINTS, ...PATHWAY_ENDPOINTS, ...PATHWAY_CHAT_ENDPOINTS, ...CALL_ACTION_ENDPOINTS, ...CALL_CORRECT_ENDPOINTS, ...ANALYSIS_ENDPOINTS, ...TOOL_ENDPOINTS, ...ACCOUNT_ENDPOINTS, ...ADMIN_ENDPOINTS, ...META_ENDPOINTS, ...TELEPHONY_ENDPOINTS, ...NUMBER_ENDPOINTS, ...INBOUND_SESSION_ENDPOINTS, ...INBOUND_LOOKUP_ENDPOINTS, ...KNOWLEDGE_BASE_ENDPOINTS, ...VOICE_ENDPOINTS, ...AGENT_ENDPOINTS, ...WEB_DEMO_ENDPOINTS, ...SESSION_ENDPOINTS, ...TRUNK_ENDPOINTS];
