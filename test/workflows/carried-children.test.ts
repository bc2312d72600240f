import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { carriedChild, carriedChildrenRun, childResultSignal, phaseQuery } from '../fixtures/workflows/carried-children';
import { batchRowCarriedSignal } from '../../src/workflow-api/batch';
import { eventually } from '../helpers/poll';
import { uid } from '../helpers/stack';

const EventType = temporal.api.enums.v1.EventType;

/**
 * A batch run's last step before continue-as-new (tellCarriedChildren, workflows/batch-row-report.ts)
 * on the real server: each live child it started is told it is carried over; a child that has just
 * ended cannot be told (the server refuses the signal), and the run then waits for that child's
 * result rather than carry a row whose call is over. In a batch that case is a race between a
 * child's end and its run's last workflow task; here the "run" is a test workflow that holds a
 * closed call in its live rows, so the case happens every time.
 */
describe('a batch run telling its live children they are carried over', () => {
  let connection: Connection;
  let client: Client;
  let workerConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `carried-children-${uid()}`;

  beforeAll(async () => {
    const address = process.env.TEMPORAL_ADDRESS!;
    connection = await Connection.connect({ address });
    client = new Client({ connection });
    workerConnection = await NativeConnection.connect({ address });
    worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/workflows/carried-children'),
    });
    running = worker.run();
  }, 60_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await workerConnection?.close();
    await connection?.close();
  });

  const startChild = (callId: string) => client.workflow.start(carriedChild, { workflowId: `call-${callId}`, taskQueue });
  const eventsOf = async (workflowId: string) => ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map((e) => e.eventType);

  it('tells the live child; for the child that has ended, waits for its result instead of carrying its row', async () => {
    const ended = await startChild(uid());
    await ended.signal(batchRowCarriedSignal);
    await ended.result();
    const live = uid();
    const liveChild = await startChild(live);
    const run = await client.workflow.start(carriedChildrenRun, { workflowId: `carried-run-${uid()}`, taskQueue, args: [[[0, live], [1, ended.workflowId.slice('call-'.length)]]] });

    expect(await liveChild.result()).toBe('told');
    // The server refused the signal to the child that had ended; the run took that in and waits.
    await eventually(async () => (await eventsOf(run.workflowId)).includes(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED));
    // Its wait, with the time limit's timer.
    await eventually(async () => (await eventsOf(run.workflowId)).includes(EventType.EVENT_TYPE_TIMER_STARTED));
    expect(await run.query(phaseQuery)).toBe('telling');
    expect((await eventsOf(run.workflowId)).includes(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)).toBe(false);

    // The ended child's result reaches the run: its row leaves the live rows, and the run goes on.
    await run.signal(childResultSignal, 1);
    await run.result();
    const events = await eventsOf(run.workflowId);
    expect(events.filter((e) => e === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED)).toHaveLength(2);
    expect(events.filter((e) => e === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED)).toHaveLength(1);
    // It ended on the result, not on the wait's time limit.
    expect(events).not.toContain(EventType.EVENT_TYPE_TIMER_FIRED);
  }, 60_000);

  it('does not wait when every live child was told', async () => {
    const a = uid();
    const b = uid();
    const children = [await startChild(a), await startChild(b)];
    const run = await client.workflow.start(carriedChildrenRun, { workflowId: `carried-run-${uid()}`, taskQueue, args: [[[0, a], [1, b]]] });
    await run.result();
    expect(await Promise.all(children.map((c) => c.result()))).toEqual(['told', 'told']);
    const events = await eventsOf(run.workflowId);
    expect(events.filter((e) => e === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED)).toHaveLength(0);
    expect(events).not.toContain(EventType.EVENT_TYPE_TIMER_STARTED);
  }, 60_000);
});
