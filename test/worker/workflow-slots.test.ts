import type { SlotPermit, SlotReserveContext, WorkflowSlotInfo, SlotReleaseContext } from '@temporalio/worker';
import { createWorkflowSlots } from '../../src/worker/workflow-slots';

const reserveContext: SlotReserveContext = { slotType: 'workflow', taskQueue: 'q', workerIdentity: 'w', workerBuildId: '', isSticky: false };
const release = (permit: SlotPermit): SlotReleaseContext<WorkflowSlotInfo> => ({ permit });

/** A start that the test answers: `started` when let through, `answer()` to finish it. */
function pendingStart() {
  let answer!: () => void;
  let letThrough = false;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const start = () => {
    letThrough = true;
    return answered;
  };
  return { start, answer: () => answer(), started: () => letThrough };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('workflow task slots and the eager start gate', () => {
  it('hands out at most its capacity, to pollers and eager starts alike', async () => {
    const { supplier } = createWorkflowSlots(3, 1);
    const abort = new AbortController();
    const permits = [await supplier.reserveSlot(reserveContext, abort.signal), supplier.tryReserveSlot(reserveContext)];
    expect(permits[1]).not.toBeNull();
    await supplier.reserveSlot(reserveContext, abort.signal);
    expect(supplier.tryReserveSlot(reserveContext)).toBeNull();

    // A poller waits for the next slot released; an eager start does not get it meanwhile.
    let polled = false;
    const poll = supplier.reserveSlot(reserveContext, abort.signal).then(() => (polled = true));
    await settle();
    expect(polled).toBe(false);
    supplier.releaseSlot(release(permits[0]!));
    await poll;
    expect(supplier.tryReserveSlot(reserveContext)).toBeNull();
  });

  it('gives a waiting poller up when its poll is aborted', async () => {
    const { supplier } = createWorkflowSlots(1, 0);
    const first = await supplier.reserveSlot(reserveContext, new AbortController().signal);
    const abort = new AbortController();
    const waiting = supplier.reserveSlot(reserveContext, abort.signal);
    abort.abort(new Error('worker stopping'));
    await expect(waiting).rejects.toThrow('worker stopping');
    // Asked again once aborted, it does not wait at all.
    await expect(supplier.reserveSlot(reserveContext, abort.signal)).rejects.toThrow('worker stopping');
    supplier.releaseSlot(release(first));
    expect(supplier.tryReserveSlot(reserveContext)).not.toBeNull();
  });

  it('lets starts through while slots are free for them, keeping some for the pollers', async () => {
    const { supplier, gate } = createWorkflowSlots(4, 1);
    const starts = [pendingStart(), pendingStart(), pendingStart(), pendingStart()];
    const done = starts.map((s) => gate.through(s.start));
    await settle();
    // Three let through (4 slots, 1 kept), though none has reserved its slot yet.
    expect(starts.map((s) => s.started())).toEqual([true, true, true, false]);

    // The first's eager reservation takes its slot; its answer does not free it (its task runs).
    const permit = supplier.tryReserveSlot(reserveContext)!;
    starts[0].answer();
    await done[0];
    await settle();
    expect(starts[3].started()).toBe(false);

    // Its task completes: the slot is free again, and the fourth goes.
    supplier.releaseSlot(release(permit));
    await settle();
    expect(starts[3].started()).toBe(true);
  });

  it('frees the place of a start that failed before it reserved a slot', async () => {
    const { gate } = createWorkflowSlots(2, 1);
    const failing = gate.through(() => Promise.reject(new Error('Temporal unavailable')));
    const next = pendingStart();
    const after = gate.through(next.start);
    await expect(failing).rejects.toThrow('Temporal unavailable');
    await settle();
    expect(next.started()).toBe(true);
    next.answer();
    await after;
  });

  it('holds starts while the pollers and their tasks take the slots', async () => {
    const { supplier, gate } = createWorkflowSlots(3, 1);
    const signal = new AbortController().signal;
    const held = [await supplier.reserveSlot(reserveContext, signal), await supplier.reserveSlot(reserveContext, signal)];
    const start = pendingStart();
    const done = gate.through(start.start);
    await settle();
    expect(start.started()).toBe(false);
    supplier.releaseSlot(release(held[0]));
    await settle();
    expect(start.started()).toBe(true);
    start.answer();
    await done;
  });
});
