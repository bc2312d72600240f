import { z } from 'zod';
import { BatchAnalysisSchema, CallAnalysisSchema, StoredAnalysisSchema } from '../../src/presenters/analysis';
import { pathId, success } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { AnalyzeBody } from '../schemas/analyze';
import { CallIdParams } from './calls';

const BatchIdParams = z.object({ batch_id: pathId('The batch_id returned by Send Batch') });

export const analyzeCall = endpoint({
  method: 'post',
  path: '/v1/calls/{call_id}/analyze',
  summary: 'Analyze a call',
  description:
    'Answers questions about a finished call, in question order (`null` where the call does not say). Runs as a short workflow; more than two minutes is a 504.',
  tags: ['Calls'],
  access: 'apiKey',
  params: CallIdParams,
  body: AnalyzeBody,
  responses: { 200: { description: 'The answers', schema: CallAnalysisSchema } },
  errors: [404, 409, 502, 504],
});

export const analyzeBatch = endpoint({
  method: 'post',
  path: '/v1/batches/{batch_id}/analyze',
  summary: 'Analyze a batch',
  description: 'Answers the questions for each finished call of the batch (at most 2,000 calls) and stores them for GET /v1/batches/{batch_id}/analysis.',
  tags: ['Batches'],
  access: 'apiKey',
  params: BatchIdParams,
  body: AnalyzeBody,
  responses: { 200: { description: 'The answers, keyed by call_id', schema: BatchAnalysisSchema } },
  errors: [404, 409, 502, 504],
});

export const getBatchAnalysis = endpoint({
  method: 'get',
  path: '/v1/batches/{batch_id}/analysis',
  summary: 'Stored analyses of a batch',
  description: 'One entry per call analysed by POST /v1/batches/{batch_id}/analyze; analysing again replaces a call\'s entry.',
  tags: ['Batches'],
  access: 'apiKey',
  params: BatchIdParams,
  responses: { 200: { description: 'The stored analyses', schema: success({ analysis: z.array(StoredAnalysisSchema) }) } },
  errors: [404],
});

export const ANALYSIS_ENDPOINTS = [analyzeCall, analyzeBatch, getBatchAnalysis];
