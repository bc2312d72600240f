import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HISTORY_FIXTURES } from '../helpers/histories';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx jest test/e2e) replayed against the
 * current workflow code: a change that would break running workflows fails here. Such a change
 * needs patched() or a new workflow type (docs/operations.md).
 */
describe('workflow replay', () => {
  it('replays every recorded history without non-determinism', async () => {
    const files = (await readdir(HISTORY_FIXTURES)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const failed: string[] = [];
    for (const file of files) {
      const history: unknown = JSON.parse(await readFile(join(HISTORY_FIXTURES, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } }, history, file).catch((err: unknown) => {
        failed.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    // Every history that does not replay, by name.
    expect(failed).toEqual([]);
  });
});
