import { allHandlersFinished, condition, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { echoUpdate, echoViaActivityUpdate, echoViaLocalActivityUpdate, finishSignal, type BaselineActivities } from './lib/baseline-api';

// The same timeout shape as the call workflow's agent activity, so scheduling is comparable.
const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '60 seconds' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '60 seconds' });

/**
 * The floor under a call turn: an update that returns its argument at once, one that awaits a
 * single no-op activity, and one that awaits a single no-op local activity (a real turn runs
 * exactly one local activity, the model call). Lives until signalled.
 */
export async function baselineWorkflow(): Promise<void> {
  let finished = false;
  setHandler(echoUpdate, (n) => n);
  setHandler(echoViaActivityUpdate, (n) => noop(n));
  setHandler(echoViaLocalActivityUpdate, (n) => local.noop(n));
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished && allHandlersFinished());
}

/** The raw ceiling under a batch row: a workflow that runs two no-op activities, one after the other, and ends. */
export async function twoActivitiesWorkflow(): Promise<number> {
  return (await noop(1)) + (await noop(2));
}
