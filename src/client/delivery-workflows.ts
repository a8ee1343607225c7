import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { DeliveryToStart } from '../domain/deliveries';
import { deliveryStartOptions, type DeliverEventInput, type DeliverySettings } from '../domain/workflow-definitions';
import { deliveryMetadata } from '../domain/workflow-metadata';

/** Where deliveries are marked started (the database's delivery repository). */
export interface StartedMarks {
  markStarted(deliveryIds: string[]): Promise<void>;
}

/** Where delivery workflows start. */
export interface DeliveryStartTarget {
  client: Client;
  taskQueue: string;
  /**
   * Eager start: the client's NativeConnection is shared with a worker of this task queue (in the
   * same process), so Temporal hands the first workflow task back with the start, not via its queue.
   */
  eagerStart?: boolean;
  /** With eagerStart: holds each start until the worker has a slot for its first task. */
  gate?: StartGate;
}

/** Lets starts through at the pace something else takes them (the worker's: src/worker/workflow-slots.ts). */
export interface StartGate {
  through<T>(start: () => Promise<T>): Promise<T>;
}

/** A delivery workflow to start: its id, its input and where it goes (for its summary). */
export interface PlannedDelivery {
  workflowId: string;
  input: DeliverEventInput;
  /** Absent from fan-outs recorded before deliveries had summaries. */
  targetUrl?: string;
}

/** Delivery workflows started at once: enough to keep a busy server fed, few enough not to flood it. */
const startsAtOnce = 32;

/** The workflow of a recorded delivery, with the worker's retry settings. */
export function plannedDelivery(delivery: DeliveryToStart, settings: DeliverySettings): PlannedDelivery {
  return {
    workflowId: delivery.workflowId,
    input: {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      webhookId: delivery.webhookId,
      integrationId: delivery.integrationId,
      eventType: delivery.eventType,
      settings,
    },
    targetUrl: delivery.targetUrl,
  };
}

/**
 * Starts a delivery workflow with its summary and details for the Web UI; `schedule` is the retry
 * schedule its details show when its input carries none. Throws WorkflowExecutionAlreadyStartedError
 * when a workflow with that id exists already.
 */
export async function startDeliveryWorkflow(
  { client, taskQueue, eagerStart = false }: DeliveryStartTarget,
  { workflowId, input, targetUrl }: PlannedDelivery,
  schedule: DeliverySettings,
) {
  const metadata = deliveryMetadata(input, targetUrl, input.settings ?? schedule);
  await client.workflow.start('deliverEvent', { ...deliveryStartOptions(workflowId, input, taskQueue, metadata), requestEagerStart: eagerStart });
}

/**
 * Starts these delivery workflows, a few at a time, each through the target's gate; one started
 * already is left as it is. Given `withinMs`, each start must be answered that soon. The first
 * failure stops the rest.
 */
export async function startDeliveryWorkflows(
  target: DeliveryStartTarget,
  planned: PlannedDelivery[],
  schedule: DeliverySettings,
  withinMs?: number,
): Promise<void> {
  let next = 0;
  let failed = false;
  const start = (delivery: PlannedDelivery) =>
    withinMs === undefined
      ? startDeliveryWorkflow(target, delivery, schedule)
      : target.client.withDeadline(Date.now() + withinMs, () => startDeliveryWorkflow(target, delivery, schedule));
  const startOne = async (delivery: PlannedDelivery) => {
    try {
      await (target.gate ? target.gate.through(() => start(delivery)) : start(delivery));
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      failed = true;
      throw err;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(startsAtOnce, planned.length) }, async () => {
      while (next < planned.length && !failed) await startOne(planned[next++]);
    }),
  );
}

/** Recorded deliveries started and marked started this many at a time, so a large fan-out is not started twice. */
const markEvery = 100;
/** How long one start may take once let through: a Temporal that does not answer is left to the worker's sweep. */
const startWithinMs = 10_000;

/**
 * Starts the workflows of deliveries a publication recorded as awaiting their start (the workers'
 * start sweep), a batch at a time, and marks each batch started in `deliveries` as it goes. What is
 * not started, a later sweep starts once this one's claim on it is up.
 */
export async function startRecordedDeliveries(
  { deliveries: marks, ...target }: DeliveryStartTarget & { deliveries: StartedMarks },
  deliveries: DeliveryToStart[],
  settings: DeliverySettings,
): Promise<void> {
  for (let from = 0; from < deliveries.length; from += markEvery) {
    const chunk = deliveries.slice(from, from + markEvery);
    const planned = chunk.map((delivery) => plannedDelivery(delivery, settings));
    await startDeliveryWorkflows(target, planned, settings, startWithinMs);
    await marks.markStarted(chunk.map((delivery) => delivery.id));
  }
}
