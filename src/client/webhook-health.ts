import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { healthSearchAttributes, reenableUpdate, webhookDeletedSignal, type WebhookHealth } from '../domain/workflow-definitions';
import { workflowIds } from '../domain/workflow-ids';
import { healthSummary } from '../domain/workflow-metadata';

/** How long the API waits for the health workflow before answering 503. */
const answerWithinMs = 10_000;
/** How long the API waits for Temporal to answer at all before answering 503. */
const reachableWithinMs = 5_000;

/** What the API asks of a webhook's health workflow. */
export function createHealthControl({ client, taskQueue }: { client: Client; taskQueue: string }) {
  return {
    /** Re-enables the webhook and resets its count, through its health workflow (started if needed, named after `url`). */
    async reenable(webhookId: string, url: string): Promise<WebhookHealth> {
      return client.withDeadline(Date.now() + answerWithinMs, () =>
        client.workflow.executeUpdateWithStart(reenableUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation('webhookHealth', {
            workflowId: workflowIds.health(webhookId),
            taskQueue,
            args: [{ webhookId }],
            workflowIdConflictPolicy: 'USE_EXISTING',
            staticSummary: healthSummary(webhookId, url),
            typedSearchAttributes: healthSearchAttributes(webhookId),
          }),
        }),
      );
    },

    /** Throws (an unavailable error) unless Temporal answers now: checked before changes that must reach it. */
    async ensureReachable(): Promise<void> {
      await client.withDeadline(Date.now() + reachableWithinMs, () =>
        client.workflowService.describeNamespace({ namespace: client.options.namespace }),
      );
    },

    /** Ends the webhook's health workflow, if it has one. */
    async webhookDeleted(webhookId: string): Promise<void> {
      try {
        await client.workflow.getHandle(workflowIds.health(webhookId)).signal(webhookDeletedSignal);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}

export type HealthControl = ReturnType<typeof createHealthControl>;
