import type { CustomSlotSupplier, SlotPermit, WorkflowSlotInfo } from '@temporalio/worker';
import type { StartGate } from '../client/delivery-workflows';

/** The worker's workflow task slots, and a gate that lets starts through while one is free for them. */
export interface WorkflowSlots {
  supplier: CustomSlotSupplier<WorkflowSlotInfo>;
  gate: StartGate;
}

/**
 * A fixed number of workflow task slots, counted here so that starts can wait for one. An eager
 * start needs a slot, reserved from the start's request until its first task completes (with a
 * first attempt, after that attempt and the task's completion call). With none free Temporal queues
 * the task instead, which costs the server a transfer task, matching and a recorded task start, and
 * the delivery seconds under a burst. Starts are let through while fewer than `capacity - kept`
 * slots are reserved or about to be; the `kept` slots are for the pollers (each reserves one while
 * it polls) and for the tasks Temporal hands out (retries, health workflows).
 */
export function createWorkflowSlots(capacity: number, kept: number): WorkflowSlots {
  let reserved = 0;
  const pollers: Array<{ resolve: (permit: SlotPermit) => void }> = [];
  /** Starts let through whose slot is not reserved yet (the SDK reserves it as it sends the start). */
  const letThrough = new Set<symbol>();
  const waitingStarts: Array<{ token: symbol; resolve: () => void }> = [];

  const admitStarts = () => {
    while (waitingStarts.length > 0 && reserved + letThrough.size < capacity - kept) {
      const { token, resolve } = waitingStarts.shift()!;
      letThrough.add(token);
      resolve();
    }
  };
  const reserve = (): SlotPermit => {
    reserved++;
    return {};
  };

  const supplier: CustomSlotSupplier<WorkflowSlotInfo> = {
    type: 'custom',
    reserveSlot(_ctx, signal) {
      if (reserved < capacity) return Promise.resolve(reserve());
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const waiting = { resolve };
        pollers.push(waiting);
        signal.addEventListener(
          'abort',
          () => {
            const at = pollers.indexOf(waiting);
            if (at < 0) return; // handed a slot already
            pollers.splice(at, 1);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    tryReserveSlot() {
      if (reserved >= capacity) return null;
      // The eager start this reservation is for no longer waits for its slot.
      const [first] = letThrough;
      if (first) letThrough.delete(first);
      return reserve();
    },
    markSlotUsed() {},
    releaseSlot() {
      const poller = pollers.shift();
      if (poller) return poller.resolve({});
      reserved--;
      admitStarts();
    },
  };

  const gate: StartGate = {
    async through(start) {
      const token = Symbol('start');
      await new Promise<void>((resolve) => {
        waitingStarts.push({ token, resolve });
        admitStarts();
      });
      try {
        return await start();
      } finally {
        letThrough.delete(token);
        admitStarts();
      }
    },
  };
  return { supplier, gate };
}
