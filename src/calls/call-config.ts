import type { DynamicDataRequest } from '../dynamic-data/types';
import type { ToolSpec } from '../tools/types';
import type { PathwayRun } from '../workflow-api/pathway';

/**
 * What a Send Call body refers to, resolved once before anything starts: `TL-` tools looked up
 * and snapshotted, `dynamic_data` checked, the pathway version fixed. A call and every row of a
 * batch get the same resolution, so a batch row runs exactly as the same POST /v1/calls would.
 */
export interface ResolvedCallConfig {
  tools?: ToolSpec[];
  dynamicData?: DynamicDataRequest[];
  pathway?: PathwayRun;
  /** The carrier voice (`<Say voice>`) the body's `voice` resolved to (api/services/voices.ts). */
  voice?: string;
}
