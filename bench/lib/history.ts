import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
/** The marker the SDK core records for each local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/**
 * What a workflow history cost the server: activity tasks, local-activity markers, workflow tasks,
 * signals received, search-attribute upserts (each also a visibility write), events.
 */
export interface HistoryCounts {
  activities: number;
  localActivities: number;
  workflowTasks: number;
  signals: number;
  upserts: number;
  events: number;
}

const KEYS = ['activities', 'localActivities', 'workflowTasks', 'signals', 'upserts', 'events'] as const;
const ZERO: HistoryCounts = { activities: 0, localActivities: 0, workflowTasks: 0, signals: 0, upserts: 0, events: 0 };

const combine = (f: (k: (typeof KEYS)[number]) => number): HistoryCounts =>
  Object.fromEntries(KEYS.map((k) => [k, f(k)])) as unknown as HistoryCounts;

export const addCounts = (a: HistoryCounts, b: HistoryCounts): HistoryCounts => combine((k) => a[k] + b[k]);

/** Counts one run's history (the latest run when runId is not given). */
export async function historyCounts(client: Client, workflowId: string, runId?: string): Promise<HistoryCounts> {
  const history = await client.withAbortSignal(AbortSignal.timeout(60_000), () => client.workflow.getHandle(workflowId, runId).fetchHistory());
  const counts = { ...ZERO };
  for (const e of history.events ?? []) {
    counts.events++;
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) counts.activities++;
    else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) counts.workflowTasks++;
    else if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) counts.localActivities++;
    else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) counts.signals++;
    else if (e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) counts.upserts++;
  }
  return counts;
}

/** Sum of every run of a workflow (continue-as-new included), the runs found through visibility. */
export async function allRunsCounts(client: Client, workflowId: string): Promise<{ counts: HistoryCounts; runs: number }> {
  const runIds: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(w.runId);
  let counts = { ...ZERO };
  for (const runId of runIds) counts = addCounts(counts, await historyCounts(client, workflowId, runId));
  return { counts, runs: runIds.length };
}

/** Mean counts per workflow over a sample; the sample's size is returned with it. */
export async function meanCounts(client: Client, workflowIds: readonly string[]): Promise<{ mean: HistoryCounts; n: number }> {
  let sum = { ...ZERO };
  for (const id of workflowIds) sum = addCounts(sum, await historyCounts(client, id));
  return { mean: perUnit(sum, workflowIds.length), n: workflowIds.length };
}

export function perUnit(c: HistoryCounts, n: number): HistoryCounts {
  const d = n > 0 ? n : NaN;
  return combine((k) => c[k] / d);
}

/** `k` distinct items chosen at random (all of them when there are no more than k). */
export function sample<T>(items: readonly T[], k: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}

/** A fixed-width table: what | activities | local activities | workflow tasks | signals | upserts | events, one row each. */
export function formatCounts(rows: ReadonlyArray<readonly [string, HistoryCounts]>): string {
  const header = ['per workflow (mean)', 'activities', 'local activities', 'workflow tasks', 'signals', 'SA upserts', 'history events'];
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const body = rows.map(([name, c]) => [name, ...KEYS.map((k) => f(c[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * A history as one line an event, its time from the first event: where a slow turn waited (the
 * workflow task's schedule, start and completion around the update, timeouts, retries).
 */
export async function historyTimeline(client: Client, workflowId: string, maxEvents = 60): Promise<string[]> {
  const history = await client.withAbortSignal(AbortSignal.timeout(60_000), () => client.workflow.getHandle(workflowId).fetchHistory());
  const events = history.events ?? [];
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);
  const t0 = ms(events[0]?.eventTime);
  return events.slice(0, maxEvents).map((e) => {
    const name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    const detail =
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      e.markerRecordedEventAttributes?.markerName ??
      e.workflowExecutionSignaledEventAttributes?.signalName ??
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
      e.workflowTaskFailedEventAttributes?.cause?.toString() ??
      (e.workflowTaskTimedOutEventAttributes ? `timeout type ${e.workflowTaskTimedOutEventAttributes.timeoutType}` : '');
    return `${`+${((ms(e.eventTime) - t0) / 1000).toFixed(2)} s`.padStart(10)}  ${name}${detail ? ` (${detail})` : ''}`;
  });
}

/** One update a workflow accepted and completed (a turn), from its history's event times. */
export interface UpdateTiming {
  /**
   * How many more workflow tasks the server scheduled between its acceptance and its completion:
   * 0 when the reply went back in the workflow task that accepted it, which is the one round trip
   * a turn should cost.
   */
  extraTasks: number;
  /** The accepting workflow task's scheduled → started: the update waiting for the worker to poll it. */
  pickupMs: number;
  /** That task's started → the completing task's completed: the worker's own time, local activities included. */
  workerMs: number;
}

/** Each update a workflow accepted and completed, in order: its workflow tasks, its pickup and the worker's time. */
export async function updateTimings(client: Client, workflowId: string): Promise<UpdateTiming[]> {
  const history = await client.withAbortSignal(AbortSignal.timeout(60_000), () => client.workflow.getHandle(workflowId).fetchHistory());
  const events = history.events ?? [];
  const at = (e: (typeof events)[number] | undefined) => (e ? Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6 : NaN);
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  /** The workflow task completed last before event i, with its started and scheduled events. */
  const taskBefore = (i: number) => {
    const completed = events.slice(0, i).findLast((x) => x.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const started = byId.get(Number(completed?.workflowTaskCompletedEventAttributes?.startedEventId));
    const scheduled = byId.get(Number(started?.workflowTaskStartedEventAttributes?.scheduledEventId));
    return { completed, started, scheduled };
  };
  const accepted = new Map<string, number>();
  const out: UpdateTiming[] = [];
  events.forEach((e, i) => {
    const id = e.workflowExecutionUpdateAcceptedEventAttributes?.protocolInstanceId;
    if (id) accepted.set(id, i);
    const done = e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId;
    const from = done ? accepted.get(done) : undefined;
    if (from === undefined) return;
    const first = taskBefore(from);
    const last = taskBefore(i);
    out.push({
      extraTasks: events.slice(from, i).filter((x) => x.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED).length,
      pickupMs: at(first.started) - at(first.scheduled),
      workerMs: at(last.completed) - at(first.started),
    });
  });
  return out;
}

/** Where a workflow's time went, in ms, from its history's event times. */
export interface TaskTimings {
  /** Workflow task scheduled → started, on the worker's sticky queue and on the shared task queue. */
  stickyPickup: number[];
  sharedPickup: number[];
  /** Workflow task started → completed (the worker's own time on it, local activities included). */
  workflowTask: number[];
  /** Activity scheduled → started, and started → completed. */
  activityPickup: number[];
  activityRun: number[];
  /** First event → last event. */
  life: number[];
}

export const noTimings = (): TaskTimings => ({ stickyPickup: [], sharedPickup: [], workflowTask: [], activityPickup: [], activityRun: [], life: [] });

/** Adds one run's timings to `into`. */
export async function addTaskTimings(into: TaskTimings, client: Client, workflowId: string, runId?: string): Promise<void> {
  const history = await client.withAbortSignal(AbortSignal.timeout(60_000), () => client.workflow.getHandle(workflowId, runId).fetchHistory());
  const events = history.events ?? [];
  const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  for (const e of events) {
    const wftStarted = e.workflowTaskStartedEventAttributes;
    const wftCompleted = e.workflowTaskCompletedEventAttributes;
    const actStarted = e.activityTaskStartedEventAttributes;
    const actCompleted = e.activityTaskCompletedEventAttributes;
    if (wftStarted) {
      const scheduled = byId.get(Number(wftStarted.scheduledEventId));
      const sticky = scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.kind === temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY;
      if (scheduled) (sticky ? into.stickyPickup : into.sharedPickup).push(at(e) - at(scheduled));
    } else if (wftCompleted) {
      const started = byId.get(Number(wftCompleted.startedEventId));
      if (started) into.workflowTask.push(at(e) - at(started));
    } else if (actStarted) {
      const scheduled = byId.get(Number(actStarted.scheduledEventId));
      if (scheduled) into.activityPickup.push(at(e) - at(scheduled));
    } else if (actCompleted) {
      const started = byId.get(Number(actCompleted.startedEventId));
      if (started) into.activityRun.push(at(e) - at(started));
    }
  }
  if (events.length > 1) into.life.push(at(events.at(-1)!) - at(events[0]!));
}
