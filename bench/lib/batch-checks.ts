import type { Client } from '@temporalio/client';
import { rowCallId } from '../../src/batches/ids';
import { callWorkflowId } from '../../src/ids';
import { batchWorkflowId } from '../../src/workflow-api/batch';
import type { CarrierSimulator } from '../../src/simulator/carrier/server';
import { addCounts, addTaskTimings, allRunsCounts, formatCounts, meanCounts, noTimings, perUnit, sample, type HistoryCounts, type TaskTimings } from './history';
import { formatTable, summarize } from './stats';

/** Whether the carrier saw each row of the batch dialled exactly once, by the call_id in each dial's URL. */
export function dialledOnce(simulator: CarrierSimulator, batchId: string, rows: number): string {
  const dials = new Map<string, number>();
  for (const c of simulator.calls.values()) {
    const id = /call_id=([^&]+)/.exec(c.req.url)?.[1];
    if (id) dials.set(id, (dials.get(id) ?? 0) + 1);
  }
  let never = 0;
  let twice = 0;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const n = dials.get(rowCallId(batchId, i)) ?? 0;
    dials.delete(rowCallId(batchId, i));
    total += n;
    if (n === 0) never++;
    if (n > 1) twice++;
  }
  // What is left is dials of no row of this batch (nothing else dials during the bench).
  const stray = [...dials.values()].reduce((a, b) => a + b, 0);
  const verdict = never === 0 && twice === 0 && stray === 0 ? 'yes' : 'NO';
  return `every row dialled exactly once: ${verdict} (${rows} rows, ${total} dials of them; ${never} never dialled, ${twice} dialled more than once; ${stray} other dials)`;
}

/**
 * What a two-turn batch call costs the server, from the histories of `k` random rows' call
 * workflows (among the rows done); beside it the batch workflow's own events per row (every run),
 * and the ceiling's two-activity workflow. Local activities leave a marker in the history and no
 * activity task.
 */
export async function historyReport(
  client: Client,
  opts: { batchId: string; rows: number; doneRows: readonly number[]; ceilingIds: readonly string[]; k: number },
): Promise<string[]> {
  const indexes = sample(opts.doneRows, opts.k);
  const calls = await meanCounts(client, indexes.map((i) => callWorkflowId(rowCallId(opts.batchId, i))));
  const out: Array<[string, HistoryCounts]> = [[`call workflow (${calls.n} random rows of ${opts.doneRows.length} done)`, calls.mean]];
  const notes: string[] = [];
  try {
    const batch = await allRunsCounts(client, batchWorkflowId(opts.batchId));
    const share = perUnit(batch.counts, opts.rows);
    out.push([`batch workflow, per row (${batch.runs} runs)`, share]);
    out.push(['call + batch share', addCounts(calls.mean, share)]);
  } catch (err) {
    notes.push(`batch workflow's histories not read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (opts.ceilingIds.length > 0) {
    const ceiling = await meanCounts(client, sample(opts.ceilingIds, opts.k));
    out.push([`ceiling workflow (${ceiling.n} random)`, ceiling.mean]);
  } else {
    notes.push('ceiling not measured (--ceiling 0)');
  }
  const timings = await timingReport(client, indexes.map((i) => callWorkflowId(rowCallId(opts.batchId, i))), batchWorkflowId(opts.batchId));
  return [formatCounts(out), ...notes, '', timings];
}

/** Where the sampled calls' and the batch's time went: workflow-task and activity pickup and run times. */
async function timingReport(client: Client, callIds: readonly string[], batchId: string): Promise<string> {
  const calls = noTimings();
  for (const id of callIds) await addTaskTimings(calls, client, id);
  const batch = noTimings();
  for await (const w of client.workflow.list({ query: `WorkflowId = '${batchId}'` })) await addTaskTimings(batch, client, batchId, w.runId);
  const rows = (who: string, t: TaskTimings) => [
    [`${who}: workflow task pickup, sticky queue`, summarize(t.stickyPickup)],
    [`${who}: workflow task pickup, shared queue`, summarize(t.sharedPickup)],
    [`${who}: workflow task, started -> completed`, summarize(t.workflowTask)],
    [`${who}: activity pickup`, summarize(t.activityPickup)],
    [`${who}: activity, started -> completed`, summarize(t.activityRun)],
  ] as const;
  return formatTable([...rows('call', calls), ['call: first event -> last', summarize(calls.life)], ...rows('batch', batch)]);
}
