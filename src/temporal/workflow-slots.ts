import type { CustomSlotSupplier, SlotPermit, SlotReleaseContext, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';

/** What a slot was reserved for: a poll of this worker's sticky queue, or of the shared task queue. */
interface Permit extends SlotPermit {
  sticky: boolean;
}

interface Waiter {
  sticky: boolean;
  grant(permit: Permit): void;
}

/**
 * The worker's workflow-task slots, with a share kept for its sticky queue. A sticky task is a
 * workflow this worker already holds: a live call's next turn, its dial's result. The shared queue
 * also holds every new call's first task, so in a burst of new calls those could take every slot,
 * a live call's task would miss the sticky queue's schedule-to-start timeout and wait behind the
 * burst in the shared queue (docs/operations.md, "Why a turn is held for a minute in a burst").
 * Here at most `shared` slots serve the shared queue at once; the rest wait for sticky tasks. A
 * sticky poll may take any free slot.
 */
export class StickyFirstSlots implements CustomSlotSupplier<WorkflowSlotInfo> {
  readonly type = 'custom';
  private inUse = 0;
  private sharedInUse = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly total: number,
    readonly shared: number,
  ) {
    if (!Number.isInteger(total) || total < 2) throw new RangeError('total must be an integer of at least 2');
    if (!Number.isInteger(shared) || shared < 1 || shared >= total) throw new RangeError('shared must be an integer in 1..total-1');
  }

  reserveSlot(ctx: SlotReserveContext, abortSignal: AbortSignal): Promise<SlotPermit> {
    const now = this.tryReserveSlot(ctx);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        sticky: ctx.isSticky,
        grant: (permit) => {
          abortSignal.removeEventListener('abort', onAbort);
          resolve(permit);
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        const err = new Error('slot reservation aborted');
        err.name = 'AbortError';
        reject(err);
      };
      if (abortSignal.aborted) return onAbort();
      abortSignal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  tryReserveSlot(ctx: SlotReserveContext): SlotPermit | null {
    return this.fits(ctx.isSticky) ? this.take(ctx.isSticky) : null;
  }

  markSlotUsed(): void {}

  releaseSlot(ctx: SlotReleaseContext<WorkflowSlotInfo>): void {
    this.inUse -= 1;
    if (!(ctx.permit as Permit).sticky) this.sharedInUse -= 1;
    // Sticky waiters first: a live call's task before a new call's.
    for (const sticky of [true, false]) {
      for (let i = 0; i < this.waiting.length; ) {
        const w = this.waiting[i]!;
        if (w.sticky === sticky && this.fits(sticky)) {
          this.waiting.splice(i, 1);
          w.grant(this.take(sticky));
        } else i += 1;
      }
    }
  }

  /** Slots in use, and of those the shared queue's (for tests and diagnostics). */
  get usage(): { inUse: number; shared: number; waiting: number } {
    return { inUse: this.inUse, shared: this.sharedInUse, waiting: this.waiting.length };
  }

  private fits(sticky: boolean): boolean {
    return this.inUse < this.total && (sticky || this.sharedInUse < this.shared);
  }

  private take(sticky: boolean): Permit {
    this.inUse += 1;
    if (!sticky) this.sharedInUse += 1;
    return { sticky };
  }
}
