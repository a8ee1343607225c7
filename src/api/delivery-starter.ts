import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Repositories } from '../db';
import type { NewDelivery } from '../db/deliveries';
import { deliveryStartOptions, type DeliverEventInput } from '../domain/workflow-definitions';

/** Starts single deliveries from the API: redeliveries, recoveries and test events. */
export function createDeliveryStarter({ client, repos, taskQueue }: { client: Client; repos: Repositories; taskQueue: string }) {
  return {
    /**
     * Records the delivery and starts its workflow. False when a delivery with that workflow id
     * exists already (nothing is started). If Temporal refuses, the row is removed again.
     */
    async start(delivery: NewDelivery): Promise<boolean> {
      if (!(await repos.deliveries.insertOne(delivery))) return false;
      const input: DeliverEventInput = {
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        webhookId: delivery.webhookId,
        integrationId: delivery.integrationId,
        eventType: delivery.eventType,
      };
      try {
        await client.workflow.start('deliverEvent', deliveryStartOptions(delivery.workflowId, input, taskQueue));
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
        await repos.deliveries.removePending(delivery.id);
        throw err;
      }
      return true;
    },
  };
}

export type DeliveryStarter = ReturnType<typeof createDeliveryStarter>;
