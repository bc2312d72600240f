import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { CallWorkflowInput } from './call';

/** Registered at start-up (DESIGN §11); the dev server caps Keyword attributes at 10 per namespace. */
export const SA = {
  CallId: defineSearchAttributeKey('CallId', SearchAttributeType.KEYWORD),
  BatchId: defineSearchAttributeKey('BatchId', SearchAttributeType.KEYWORD),
  CampaignId: defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD),
  CallStatus: defineSearchAttributeKey('CallStatus', SearchAttributeType.KEYWORD),
  AnsweredBy: defineSearchAttributeKey('AnsweredBy', SearchAttributeType.KEYWORD),
  PhoneNumber: defineSearchAttributeKey('PhoneNumber', SearchAttributeType.KEYWORD),
  OrgId: defineSearchAttributeKey('OrgId', SearchAttributeType.KEYWORD),
  Channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  /** `inbound` or `outbound`, on phone calls. */
  Direction: defineSearchAttributeKey('Direction', SearchAttributeType.KEYWORD),
} as const;

/** Name → type, in the words of `temporal operator search-attribute create --type`. */
export const SEARCH_ATTRIBUTE_TYPES: Record<keyof typeof SA, 'Keyword'> = {
  CallId: 'Keyword',
  BatchId: 'Keyword',
  CampaignId: 'Keyword',
  CallStatus: 'Keyword',
  AnsweredBy: 'Keyword',
  PhoneNumber: 'Keyword',
  OrgId: 'Keyword',
  Channel: 'Keyword',
  Direction: 'Keyword',
};

/**
 * The attributes a call workflow starts with, whoever starts it (POST /v1/calls, a pathway chat, a
 * batch's window, an incoming call): operators filter every call the same way.
 */
export function callStartAttributes(input: CallWorkflowInput, campaignId: string | null): SearchAttributePair[] {
  return [
    { key: SA.CallId, value: input.callId },
    { key: SA.OrgId, value: input.orgId },
    ...(input.to ? [{ key: SA.PhoneNumber, value: input.to }] : []),
    { key: SA.CallStatus, value: 'queued' },
    { key: SA.Channel, value: input.channel },
    ...(input.channel === 'phone' ? [{ key: SA.Direction, value: input.inbound ? 'inbound' : 'outbound' }] : []),
    ...(input.batchId ? [{ key: SA.BatchId, value: input.batchId }] : []),
    ...(campaignId ? [{ key: SA.CampaignId, value: campaignId }] : []),
  ];
}
