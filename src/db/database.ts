import { MongoClient, type Collection, type Db } from 'mongodb';
import type { BatchAnalysisDoc, BatchDoc, BatchRowChunkDoc, DialSlotDoc } from '../batches/types';
import type { RateLimitDoc } from '../rate-limit/counters';
import type { CarrierAccountDoc } from '../telephony/carrier-accounts';
import { ensureInboundNumberIndexes, type InboundNumberDoc } from '../numbers/types';
import { ensureInboundIndexes, type InboundLookupDoc, type InboundLookupRowDoc, type InboundSessionDoc } from '../inbound/types';
import { ensurePathwayIndexes } from './pathway-store';
import { CALL_INDEXES, REPLACED_CALL_INDEXES, replaceIndexes } from './call-indexes';
import { ensureTtlIndex } from './ttl-index';
import type { ToolDoc } from '../tools/tool-store';
import { ensureVoiceIndexes, type VoiceDoc } from '../voices/voice-store';
import { ensureKnowledgeIndexes, type KnowledgeBaseDoc, type KnowledgeChunkDoc } from '../knowledge/types';
import { ensureAgentIndexes, type AgentDoc, type AgentSessionTokenDoc } from '../agents/types';
import type { BridgeSessionDoc } from '../sessions/types';
import { ensureTrunkIndexes, type TrunkDoc } from '../trunks/types';
import type { ApiKeyDoc, CallDoc, CallEventDoc, FinalTranscriptDoc, IdempotencyDoc, OrgDoc, TranscriptDoc, WebhookSecretDoc } from './types';

export interface Collections {
  orgs: Collection<OrgDoc>;
  apiKeys: Collection<ApiKeyDoc>;
  calls: Collection<CallDoc>;
  transcripts: Collection<TranscriptDoc>;
  /** Finished calls' whole transcripts, one document a call (src/db/final-transcript.ts). */
  finalTranscripts: Collection<FinalTranscriptDoc>;
  callEvents: Collection<CallEventDoc>;
  idempotencyKeys: Collection<IdempotencyDoc>;
  webhookSecrets: Collection<WebhookSecretDoc>;
  batches: Collection<BatchDoc>;
  batchRows: Collection<BatchRowChunkDoc>;
  batchAnalyses: Collection<BatchAnalysisDoc>;
  dialSlots: Collection<DialSlotDoc>;
  tools: Collection<ToolDoc>;
  /** Bring-your-own Twilio accounts (encrypted_key), auth tokens sealed. */
  accounts: Collection<CarrierAccountDoc>;
  /** The organisations' phone numbers (purchased or from their own Twilio accounts) and each one's inbound agent, by E.164. */
  inboundNumbers: Collection<InboundNumberDoc>;
  /** Inbound session tokens (seed 000) by the SHA-256 of the token, deleted by a TTL index when they expire. */
  inboundSessions: Collection<InboundSessionDoc>;
  /** Each number's lookup source (seed 002): a CSV's version and columns, or a URL. */
  inboundLookups: Collection<InboundLookupDoc>;
  /** The rows of the numbers' lookup CSVs, by `<version>:<key>`. */
  inboundLookupRows: Collection<InboundLookupRowDoc>;
  /** Fixed-window request counters of the rate limits, deleted by a TTL index when their window ends. */
  rateLimits: Collection<RateLimitDoc>;
  /** The organisations' own voices (the curated public ones are in code: src/voices/catalog.ts). */
  voices: Collection<VoiceDoc>;
  /** Knowledge bases (`/vectors`): name, description, the submitted text and which version is searched. */
  knowledgeBases: Collection<KnowledgeBaseDoc>;
  /** Embedded passages of the knowledge bases, by `<kb_id>:<version>:<seq>`. */
  kbChunks: Collection<KnowledgeChunkDoc>;
  /** Web agents (`/v1/agents`), by agent_id. */
  agents: Collection<AgentDoc>;
  /** Single-use web session tokens by the SHA-256 of the token, deleted by a TTL index when they expire. */
  agentSessionTokens: Collection<AgentSessionTokenDoc>;
  /** Bridged call sessions (POST /sessions), by session id; the live truth is each one's workflow. */
  bridgeSessions: Collection<BridgeSessionDoc>;
  /** The organisations' SIP trunks (/v1/trunks), by TR- id, unique by name in an organisation. */
  trunks: Collection<TrunkDoc>;
}

export interface Database {
  client: MongoClient;
  db: Db;
  collections: Collections;
  close(): Promise<void>;
}

export async function connectDatabase(uri: string, dbName: string): Promise<Database> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, appName: 'switchboard' });
  await client.connect();
  const db = client.db(dbName);
  const collections: Collections = {
    orgs: db.collection<OrgDoc>('orgs'),
    apiKeys: db.collection<ApiKeyDoc>('api_keys'),
    calls: db.collection<CallDoc>('calls'),
    transcripts: db.collection<TranscriptDoc>('transcripts'),
    finalTranscripts: db.collection<FinalTranscriptDoc>('final_transcripts'),
    callEvents: db.collection<CallEventDoc>('call_events'),
    idempotencyKeys: db.collection<IdempotencyDoc>('idempotency_keys'),
    webhookSecrets: db.collection<WebhookSecretDoc>('webhook_secrets'),
    batches: db.collection<BatchDoc>('batches'),
    batchRows: db.collection<BatchRowChunkDoc>('batch_rows'),
    batchAnalyses: db.collection<BatchAnalysisDoc>('batch_analyses'),
    dialSlots: db.collection<DialSlotDoc>('dial_slots'),
    tools: db.collection<ToolDoc>('tools'),
    accounts: db.collection<CarrierAccountDoc>('accounts'),
    rateLimits: db.collection<RateLimitDoc>('rate_limits'),
    inboundNumbers: db.collection<InboundNumberDoc>('inbound_numbers'),
    inboundSessions: db.collection<InboundSessionDoc>('inbound_sessions'),
    inboundLookups: db.collection<InboundLookupDoc>('inbound_lookups'),
    inboundLookupRows: db.collection<InboundLookupRowDoc>('inbound_lookup_rows'),
    voices: db.collection<VoiceDoc>('voices'),
    knowledgeBases: db.collection<KnowledgeBaseDoc>('knowledge_bases'),
    kbChunks: db.collection<KnowledgeChunkDoc>('kb_chunks'),
    agents: db.collection<AgentDoc>('agents'),
    agentSessionTokens: db.collection<AgentSessionTokenDoc>('agent_session_tokens'),
    bridgeSessions: db.collection<BridgeSessionDoc>('bridge_sessions'),
    trunks: db.collection<TrunkDoc>('trunks'),
  };
  return { client, db, collections, close: () => client.close() };
}

/** Idempotent: createIndex with an identical spec is a no-op on MongoDB and FerretDB alike. */
export async function ensureIndexes({ db, collections: c }: Database): Promise<void> {
  await Promise.all([
    ensurePathwayIndexes(db),
    c.apiKeys.createIndex({ org_id: 1 }),
    // One index a hot query (./call-indexes.ts): the organisation's, live calls', a batch's, a carrier SID's.
    replaceIndexes(c.calls, REPLACED_CALL_INDEXES, CALL_INDEXES),
    c.transcripts.createIndex({ org_id: 1, call_id: 1, seq: 1 }),
    c.callEvents.createIndex({ org_id: 1, call_id: 1, timestamp: 1 }),
    c.idempotencyKeys.createIndex({ org_id: 1, created_at: -1 }),
    c.batches.createIndex({ org_id: 1, created_at: -1 }),
    c.batchAnalyses.createIndex({ org_id: 1, batch_id: 1 }),
    c.tools.createIndex({ org_id: 1, created_at: -1 }),
    // A window's counter is deleted once it has ended; without TTL indexes the counters' own sweep does it.
    ensureTtlIndex(c.rateLimits),
    ensureInboundNumberIndexes(c.inboundNumbers),
    ensureInboundIndexes(c.inboundSessions, c.inboundLookupRows),
    ensureVoiceIndexes(c.voices),
    ensureKnowledgeIndexes(c.knowledgeBases, c.kbChunks),
    ensureAgentIndexes(c.agents, c.agentSessionTokens),
    c.bridgeSessions.createIndex({ org_id: 1, created_at: -1 }),
    ensureTrunkIndexes(c.trunks),
  ]);
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
