import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const started = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const taskStarted = temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED;

/**
 * The delivery attempts a worker has taken on and not yet reported done, as Temporal sees them:
 * the attemptDelivery activities started in the webhook's running deliveries (retries), and their
 * started workflow tasks (a first attempt runs as a local activity inside one). Taken right after
 * a worker's death, these are the attempts it died in, the only ones that may be sent twice.
 */
export async function attemptsInFlight(client: Client, webhookId: string): Promise<number> {
  const running: string[] = [];
  const query = `WorkflowType="deliverEvent" AND WebhookId="${webhookId}" AND ExecutionStatus="Running"`;
  for await (const workflow of client.workflow.list({ query })) running.push(workflow.workflowId);
  let count = 0;
  // A few at a time: the dev server shares two cores with everything else.
  for (let i = 0; i < running.length; i += 8) {
    const descriptions = await Promise.all(running.slice(i, i + 8).map((id) => client.workflow.getHandle(id).describe()));
    for (const { raw } of descriptions) {
      count += (raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'attemptDelivery' && a.state === started).length;
      if (raw.pendingWorkflowTask?.state === taskStarted) count += 1;
    }
  }
  return count;
}

/** How many of the webhook's deliveries are still running in Temporal. */
export async function runningDeliveries(client: Client, webhookId: string): Promise<number> {
  const { count } = await client.workflow.count(`WorkflowType="deliverEvent" AND WebhookId="${webhookId}" AND ExecutionStatus="Running"`);
  return count;
}
