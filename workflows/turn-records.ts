import type { FinalizeCallInput } from '../activities/call-records';
import type { NewCallEvent } from '../src/db/call-events';
import type { AgentAction, CallLiveState, TranscriptLine } from '../src/workflow-api/call';
import { localRecords, records } from './activity-proxies';
import type { EngineVersion } from './engine-version';

/** Turns whose transcript lines and events are written to the read model in one activity. */
const TURNS_PER_RECORD = 4;

/**
 * A conversation's read-model writes. They run behind the conversation, and a failure is kept
 * here, never dropped. Turn records (the lines, the events and, with `pathwayLogsWithRecords`, a
 * pathway's logs) are written every few turns, each at a fixed point of the conversation; a live
 * call's reads take the rest from the workflow's state (`unrecorded`). The last ones go with the
 * final record.
 */
export class TurnRecords {
  private readonly pending: Promise<unknown>[] = [];
  /** Turn records not written yet: lines from `recordedLines` on, these events, the logs past `recordedLogs`. */
  private recordedLines = 0;
  private unrecordedEvents: NewCallEvent[] = [];
  private unrecordedTurns = 0;
  private recordedLogs = 0;

  constructor(
    private readonly ref: { orgId: string; callId: string },
    private readonly version: EngineVersion,
    /** The conversation's transcript, read here and never changed. */
    private readonly lines: readonly TranscriptLine[],
    /** The pathway's logs when they go with the records, else null. */
    private readonly pathwayLogs: () => readonly unknown[] | null,
  ) {}

  writeBehind(write: Promise<void>): void {
    this.pending.push(write.then(() => null, (err: unknown) => err));
  }

  /** What the read model does not hold yet, for the live-state query: the events (each with the time it happened), the logs. */
  get unrecorded(): Pick<CallLiveState, 'pendingEvents' | 'pathwayLogs'> {
    const logs = this.pathwayLogs();
    return {
      pendingEvents: this.unrecordedEvents.map((e) => ({ level: e.level, category: e.category, message: e.message, at: e.at ?? '' })),
      ...(logs ? { pathwayLogs: [...logs] } : {}),
    };
  }

  /** A turn is over: its lines are the transcript's from `firstNew` on. */
  turn(events: NewCallEvent[], action: AgentAction, firstNew: number): void {
    if (!this.version.batchedRecords) {
      this.writeBehind(records.recordTurn({ ...this.ref, lines: this.lines.slice(firstNew), events, ...this.logsDue() }));
      return;
    }
    // The read model lags by at most a few turns; a live call's reads take these from the workflow itself.
    const at = new Date().toISOString();
    this.unrecordedEvents.push(...events.map((e) => ({ ...e, at })));
    this.unrecordedTurns += 1;
    // The agent's last words go with a final record that carries the turns; a transfer's are written now.
    const lastWords = action === 'end' && this.version.localFinalRecord;
    if (this.unrecordedTurns >= TURNS_PER_RECORD || (action !== 'continue' && !lastWords)) this.record();
  }

  /** Lines said outside a turn (a voicemail left), written at once. */
  spoken(firstNew: number): void {
    this.writeBehind(records.recordTurn({ ...this.ref, lines: this.lines.slice(firstNew), events: [] }));
  }

  /** Waits for every write-behind; returns the failures. The turn records left are written first, unless the final record carries them. */
  async settle(): Promise<unknown[]> {
    if (this.version.batchedRecords && !this.version.localFinalRecord) this.record();
    return (await Promise.all(this.pending)).filter((r) => r !== null);
  }

  /**
   * The final record, after settle. With `localFinalRecord`, a local activity that also writes the
   * turns not yet recorded: a call's end is one write, with no dispatch through the server.
   */
  async final(set: FinalizeCallInput['set'], events: NewCallEvent[]): Promise<void> {
    const logs = this.pathwayLogs();
    const withLogs = logs?.length ? { ...set, pathway_logs: [...logs] } : set;
    if (!this.version.localFinalRecord) return records.finalizeCall({ ...this.ref, set: withLogs, events });
    const transcript = { lines: [...this.lines], firstUnrecorded: this.recordedLines };
    await localRecords.finalizeCall({ ...this.ref, set: withLogs, events: [...this.unrecordedEvents, ...events], transcript });
    this.recordedLines = this.lines.length;
    this.unrecordedEvents = [];
    this.unrecordedTurns = 0;
  }

  /** One write for the turns since the last: their lines, events and logs. */
  private record(): void {
    const logs = this.logsDue();
    if (this.recordedLines === this.lines.length && this.unrecordedEvents.length === 0 && !logs.pathwayLogs) return;
    const lines = this.lines.slice(this.recordedLines);
    const events = this.unrecordedEvents;
    this.recordedLines = this.lines.length;
    this.unrecordedEvents = [];
    this.unrecordedTurns = 0;
    this.writeBehind(records.recordTurn({ ...this.ref, lines, events, ...logs }));
  }

  /** The pathway's logs, if they go with the records and grew since the last record. */
  private logsDue(): { pathwayLogs?: unknown[] } {
    const logs = this.pathwayLogs();
    if (!logs || logs.length === this.recordedLogs) return {};
    this.recordedLogs = logs.length;
    return { pathwayLogs: [...logs] };
  }
}
