import { patched } from '@temporalio/workflow';
import type { CallWorkflowInput } from '../src/workflow-api/call';

/** Marks the runs whose model turns are local activities; older histories replay with normal activities. */
export const LOCAL_TURNS_PATCH = 'local-agent-turns';
/**
 * Marks the runs that write their turn records in batches (a live call's reads merge the workflow's
 * own state); older histories replay with one record write per turn.
 */
export const BATCHED_TURN_RECORDS_PATCH = 'batched-turn-records';

/** How this run of the engine behaves, decided once; see `decideEngineVersion`. */
export interface EngineVersion {
  /** Model turns run as local activities (`localAgent`), not dispatched through the server (`agent`). */
  localTurns: boolean;
  /** Turn records are written every few turns (TURNS_PER_RECORD in conversation.ts), not after each turn. */
  batchedRecords: boolean;
  /**
   * The final record is written in this worker (`localRecords`) and carries the turns not yet
   * recorded. Decided by the run's input (`localFinalRecord`), which costs a history nothing,
   * where a patch costs every new run a marker and a search-attribute upsert.
   */
  localFinalRecord: boolean;
  /** A pathway's logs go with the turn records and the final record (the run's input, `pathwayLogsWithRecords`). */
  pathwayLogsWithRecords: boolean;
}

/**
 * The engine of the workflow types that never ran without the earlier changes (phoneCallWorkflow,
 * chatWorkflow, webCallWorkflow): those are on; the later ones come with the run's input.
 */
export function currentEngine(input: Pick<CallWorkflowInput, 'localFinalRecord' | 'pathwayLogsWithRecords'>): EngineVersion {
  return { localTurns: true, batchedRecords: true, ...fromInput(input) };
}

/**
 * Decides the engine's version once, first thing in a workflow run, in the workflow's main
 * coroutine. Never from a message handler: an update's handler may run, on replay, in an activation
 * before the one that tells the workflow its history holds the marker, and a patch asked there
 * answers differently than it did live. Histories that predate a change replay its old branch for
 * their whole run.
 */
export function decideEngineVersion(input: Pick<CallWorkflowInput, 'localFinalRecord' | 'pathwayLogsWithRecords'>): EngineVersion {
  return {
    localTurns: patched(LOCAL_TURNS_PATCH),
    batchedRecords: patched(BATCHED_TURN_RECORDS_PATCH),
    ...fromInput(input),
  };
}

/** The changes a run's input turns on. */
function fromInput(input: Pick<CallWorkflowInput, 'localFinalRecord' | 'pathwayLogsWithRecords'>) {
  return { localFinalRecord: input.localFinalRecord === true, pathwayLogsWithRecords: input.pathwayLogsWithRecords === true };
}
