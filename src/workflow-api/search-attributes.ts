import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
};
