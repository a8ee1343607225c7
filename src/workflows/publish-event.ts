import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, proxyActivities, proxyLocalActivities, setCurrentDetails, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deliverySearchAttributes, type PublishEventInput } from '../domain/workflow-definitions';
import { deliverEvent } from './deliver-event';
import { publishProgress } from '../domain/workflow-metadata';
import { localCallOptions, untilDone } from './durable-retry';

const { planDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Planning is one short database transaction: as a local activity it costs no task round trip. */
const planLocally = proxyLocalActivities<Activities>(localCallOptions).planDeliveries;

/** Replay safety: fan-outs recorded before planned through a regular activity. */
const planLocallyPatch = 'plan-deliveries-locally';

/**
 * Starting the deliveries from a local activity, with plain client starts, instead of as child
 * workflows: no child-start commands and no child-started events waking this workflow, one per
 * delivery. Generous time, for fan-outs to thousands of webhooks.
 */
const { startDeliveries } = proxyLocalActivities<Activities>({ ...localCallOptions, startToCloseTimeout: '60 seconds', scheduleToCloseTimeout: '2 minutes' });

/** Replay safety: fan-outs recorded before started their deliveries as child workflows. */
const startFromActivityPatch = 'start-deliveries-from-activity';

/**
 * Recording the publication and leaving its deliveries to the workers, which start them as they
 * start a REST publication's: eagerly, each once a worker has a slot for it (the starts from
 * startDeliveries could not wait for one: this workflow's task holds a slot meanwhile).
 */
const leaveLocally = proxyLocalActivities<Activities>(localCallOptions).leaveDeliveriesToWorkers;

/** Replay safety: fan-outs recorded before planned and started their deliveries themselves. */
const leaveToWorkersPatch = 'leave-deliveries-to-workers';

/**
 * The fan-out of one published event: records it and one pending delivery per active webhook
 * subscribed to it, whose deliverEvent workflows the workers start (fan-outs recorded before
 * started them itself). Keyed by the event id, so publishing twice fans out once.
 */
export async function publishEvent(event: PublishEventInput): Promise<{ deliveries: number }> {
  if (patched(leaveToWorkersPatch)) {
    const deliveries = await untilDone('recording the publication', () => leaveLocally(event));
    setCurrentDetails(publishProgress.leftToWorkers(deliveries));
    return { deliveries };
  }
  const planned = patched(planLocallyPatch)
    ? await untilDone('planning the deliveries', () => planLocally(event))
    : await planDeliveries(event);
  if (patched(startFromActivityPatch)) {
    await untilDone('starting the deliveries', () => startDeliveries(planned));
    setCurrentDetails(publishProgress.started(planned.length));
    return { deliveries: planned.length };
  }
  await Promise.all(
    planned.map(async (delivery) => {
      try {
        await startChild(deliverEvent, {
          workflowId: delivery.workflowId,
          args: [delivery.input],
          // Deliveries outlive this fan-out, which completes as soon as they have started.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: deliverySearchAttributes(delivery.input),
        });
      } catch (err) {
        // Started by an earlier run of this fan-out: that delivery is under way already.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }),
  );
  return { deliveries: planned.length };
}
