import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export const HISTORY_FIXTURES = join(__dirname, '..', 'fixtures', 'histories');

/**
 * Replays a finished workflow's real history against the current workflow code, and with
 * RECORD_HISTORIES=1 keeps it as a fixture that test/workflows/replay.test.ts replays forever after.
 */
export async function replayAndMaybeRecord(client: Client, workflowId: string, fixtureName: string): Promise<void> {
  // The record completes before the post-call steps do; replay the whole run.
  await client.workflow.getHandle(workflowId).result();
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  try {
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } }, history, workflowId);
  } catch (err) {
    // A replay that fails only now and then is diagnosed from the very history that failed.
    const kept = join(tmpdir(), `failed-replay-${workflowId}-${Date.now()}.json`);
    writeFileSync(kept, historyToJSON(history));
    throw new Error(`Replay of ${workflowId} failed (its history is kept in ${kept}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (process.env.RECORD_HISTORIES === '1') {
    // The CLI writes the standard JSON history format that every Temporal SDK's replayer reads.
    const cli = join(process.env.SWITCHBOARD_CACHE_DIR ?? join(homedir(), '.cache', 'switchboard'), 'bin', 'temporal');
    const json = execFileSync(cli, ['workflow', 'show', '--address', process.env.TEMPORAL_ADDRESS!, '--workflow-id', workflowId, '--output', 'json']);
    writeFileSync(join(HISTORY_FIXTURES, `${fixtureName}.json`), json);
  }
}

/** The activity types a history ran: dispatched through the server, and local (one marker each), in order. */
export function activityTypesOf(history: temporal.api.history.v1.IHistory): { scheduled: string[]; local: string[] } {
  const events = history.events ?? [];
  const scheduled = events.flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
  const local = events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : [];
  });
  return { scheduled, local };
}

/** The attempt each local activity of one type ended on (its marker's), in order. */
export function localActivityAttempts(history: temporal.api.history.v1.IHistory, type: string): number[] {
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
    const meta = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string; attempt: number }) : undefined;
    return meta?.activity_type === type ? [meta.attempt] : [];
  });
}

/** The inputs of the activities of one type a history scheduled through the server, in order. */
export function activityInputs(history: temporal.api.history.v1.IHistory, type: string): unknown[] {
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    const data = a?.activityType?.name === type ? a.input?.payloads?.[0]?.data : undefined;
    return data ? [JSON.parse(Buffer.from(data).toString('utf8')) as unknown] : [];
  });
}
