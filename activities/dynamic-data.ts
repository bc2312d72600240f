import { appendCallEvents, callBelongsTo, type NewCallEvent } from '../src/db/call-events';
import { storable } from '../src/db/storable-keys';
import { runDynamicData } from '../src/dynamic-data/run';
import type { DynamicDataOutcome, DynamicDataRequest } from '../src/dynamic-data/types';
import type { ActivityDeps } from './deps';

export interface RunDynamicDataInput {
  orgId: string;
  callId: string;
  requests: DynamicDataRequest[];
  variables: Record<string, unknown>;
}

export interface RunDynamicDataResult {
  variables: Record<string, unknown>;
  context: string[];
}

function events(outcome: DynamicDataOutcome): NewCallEvent[] {
  return outcome.runs.map((run) => ({
    level: 'dynamic_data',
    category: run.ok ? 'info' : 'error',
    message: run.ok
      ? `dynamic_data[${run.index}]: ${run.method} ${run.url} → ${run.status}${run.cached ? ' (cached)' : ` in ${run.durationMs} ms`}; set ${Object.keys(run.variables).join(', ') || 'no variables'}`
      : `dynamic_data[${run.index}]: ${run.method} ${run.url} failed (${run.error}); the call goes on without it`,
  }));
}

/**
 * The call's dynamic_data, in order, before the first word. Request failures are outcomes, not
 * errors: they are written to the event stream and the call goes on.
 */
export function createDynamicDataActivities({ db, outbound }: Pick<ActivityDeps, 'db' | 'outbound'>) {
  return {
    async runDynamicData(input: RunDynamicDataInput): Promise<RunDynamicDataResult> {
      const outcome = await runDynamicData(outbound, input.requests, input.variables);
      if (Object.keys(outcome.variables).length > 0 && (await callBelongsTo(db, input.orgId, input.callId))) {
        // GET /v1/calls/{id} shows the call's variables, dynamic_data's included.
        await db.collections.calls.updateOne({ _id: input.callId }, { $set: { variables: storable({ ...input.variables, ...outcome.variables }) as Record<string, unknown> } });
      }
      await appendCallEvents(db, input.orgId, input.callId, events(outcome));
      return { variables: outcome.variables, context: outcome.context };
    },
  };
}
