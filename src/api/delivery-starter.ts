import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Repositories } from '../db';
import type { NewDelivery } from '../db/deliveries';
import type { DeliverEventInput, DeliverySettings } from '../domain/workflow-definitions';
import { startDeliveryWorkflow } from '../client/delivery-workflows';

export interface DeliveryStarterDeps {
  client: Client;
  repos: Repositories;
  taskQueue: string;
  /** The retry schedule the deliveries' details show; the workflows read the worker's own. */
  schedule: DeliverySettings;
}

/** Starts single deliveries from the API: redeliveries, recoveries and test events. */
export function createDeliveryStarter({ client, repos, taskQueue, schedule }: DeliveryStarterDeps) {
  return {
    /**
     * Records the delivery and starts its workflow (its summary names `targetUrl`, the webhook's).
     * False when a delivery with that workflow id exists already (nothing is started). If Temporal
     * refuses, the row is removed again.
     */
    async start(delivery: NewDelivery, targetUrl: string): Promise<boolean> {
      if (!(await repos.deliveries.insertOne(delivery))) return false;
      const input: DeliverEventInput = {
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        webhookId: delivery.webhookId,
        integrationId: delivery.integrationId,
        eventType: delivery.eventType,
      };
      try {
        await startDeliveryWorkflow({ client, taskQueue }, { workflowId: delivery.workflowId, input, targetUrl }, schedule);
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
