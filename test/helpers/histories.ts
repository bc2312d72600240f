import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';

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
