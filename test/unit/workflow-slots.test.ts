import type { SlotPermit, SlotReserveContext } from '@temporalio/worker';
import { StickyFirstSlots } from '../../src/temporal/workflow-slots';

const ctx = (isSticky: boolean): SlotReserveContext => ({ slotType: 'workflow', taskQueue: 'q', workerIdentity: 'w', workerBuildId: '', isSticky });
const release = (slots: StickyFirstSlots, permit: SlotPermit) => slots.releaseSlot({ permit });
/** Whether a promise has settled by the end of this turn of the event loop. */
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('StickyFirstSlots: workflow-task slots with a share kept for the sticky queue', () => {
  it('gives the shared queue at most its share, and a sticky poll any free slot', async () => {
    const slots = new StickyFirstSlots(4, 2);
    const shared = [slots.tryReserveSlot(ctx(false)), slots.tryReserveSlot(ctx(false))];
    expect(shared.every((p) => p !== null)).toBe(true);
    expect(slots.tryReserveSlot(ctx(false))).toBeNull();
    const waitingShared = slots.reserveSlot(ctx(false), new AbortController().signal);
    expect(await settled(waitingShared)).toBe(false);
    // The sticky queue still gets the two slots the shared one may not take.
    const sticky = [await slots.reserveSlot(ctx(true), new AbortController().signal), slots.tryReserveSlot(ctx(true))];
    expect(sticky[1]).not.toBeNull();
    expect(slots.usage).toEqual({ inUse: 4, shared: 2, waiting: 1 });
    expect(slots.tryReserveSlot(ctx(true))).toBeNull();
    // A sticky slot freed does not let the shared queue over its share.
    release(slots, sticky[0]!);
    expect(await settled(waitingShared)).toBe(false);
    // A shared slot freed does.
    release(slots, shared[0]!);
    expect(await settled(waitingShared)).toBe(true);
    expect(slots.usage).toEqual({ inUse: 3, shared: 2, waiting: 0 });
  });

  it('hands a freed slot to a waiting sticky poll before a waiting shared one', async () => {
    const slots = new StickyFirstSlots(2, 1);
    const first = slots.tryReserveSlot(ctx(false))!;
    slots.tryReserveSlot(ctx(true));
    const shared = slots.reserveSlot(ctx(false), new AbortController().signal);
    const sticky = slots.reserveSlot(ctx(true), new AbortController().signal);
    release(slots, first);
    expect(await settled(sticky)).toBe(true);
    expect(await settled(shared)).toBe(false);
    expect(slots.usage).toEqual({ inUse: 2, shared: 0, waiting: 1 });
  });

  it('drops an aborted reservation with an AbortError, and it takes no slot', async () => {
    const slots = new StickyFirstSlots(2, 1);
    const taken = slots.tryReserveSlot(ctx(true))!;
    slots.tryReserveSlot(ctx(true));
    const abort = new AbortController();
    const waiting = slots.reserveSlot(ctx(true), abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(slots.usage.waiting).toBe(0);
    release(slots, taken);
    expect(slots.usage).toEqual({ inUse: 1, shared: 0, waiting: 0 });
    const already = new AbortController();
    already.abort();
    slots.tryReserveSlot(ctx(true));
    await expect(slots.reserveSlot(ctx(true), already.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses sizes that would leave the sticky or the shared queue no slot', () => {
    expect(() => new StickyFirstSlots(1, 1)).toThrow(RangeError);
    expect(() => new StickyFirstSlots(4, 4)).toThrow(RangeError);
    expect(() => new StickyFirstSlots(4, 0)).toThrow(RangeError);
    expect(() => new StickyFirstSlots(4.5, 1)).toThrow(RangeError);
  });
});
