import { createAgentTurnActivities } from './agent-turn';
import { createCallRecordActivities } from './call-records';
import type { ActivityDeps } from './deps';
import { createTelephonyActivities } from './telephony';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCallRecordActivities(deps),
    ...createTelephonyActivities(deps),
    ...createAgentTurnActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
