import { allHandlersFinished, condition, continueAsNew, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  deliveryOutcomeSignal,
  healthQuery,
  reenableUpdate,
  webhookDeletedSignal,
  type DeliveryOutcome,
  type WebhookHealth,
  type WebhookHealthInput,
} from './definitions';

/** Short database calls, as local activities: they run within the workflow task. Retried until the database is back. */
const { healthSettings, saveHealth, enableWebhook } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const defaultOutcomesPerRun = 1000;
const rememberedDeliveryIds = 200;

type Work = { kind: 'outcome'; outcome: DeliveryOutcome } | { kind: 'reenable'; ticket: number };


/**
 * One per webhook, for its whole life: counts consecutive failed deliveries, disables the webhook
 * at the threshold, re-enables it on request, and ends when the webhook is deleted. Work is handled
 * one item at a time, in arrival order, so no outcome is lost or counted twice.
 */
export async function webhookHealth(input: WebhookHealthInput): Promise<WebhookHealth> {
  const outcomesPerRun = input.outcomesPerRun ?? defaultOutcomesPerRun;
  const counted = input.countedDeliveryIds ?? [];
  const health: WebhookHealth = { consecutiveFailures: input.consecutiveFailures ?? 0, disabled: false };
  const queue: Work[] = [];
  let deleted = false;
  let tickets = 0;
  let reenabled = 0;
  let handled = 0;

  setHandler(deliveryOutcomeSignal, (outcome) => void queue.push({ kind: 'outcome', outcome }));
  setHandler(webhookDeletedSignal, () => void (deleted = true));
  setHandler(healthQuery, () => ({ ...health }));
  setHandler(reenableUpdate, async () => {
    const ticket = ++tickets;
    queue.push({ kind: 'reenable', ticket });
    await condition(() => reenabled >= ticket || deleted);
    return { ...health };
  });

  // Handlers first (above), then the first await: work that arrives with the start is not refused.
  const { disableAfterFailures } = await healthSettings();
  const timeToContinue = () => handled >= outcomesPerRun || workflowInfo().continueAsNewSuggested;

  for (;;) {
    await condition(() => queue.length > 0 || deleted || timeToContinue());
    if (deleted) break;
    if (queue.length === 0) {
      await condition(allHandlersFinished);
      if (queue.length > 0) continue;
      return continueAsNew<typeof webhookHealth>({
        webhookId: input.webhookId,
        consecutiveFailures: health.consecutiveFailures,
        countedDeliveryIds: counted.slice(-rememberedDeliveryIds),
        outcomesPerRun: input.outcomesPerRun,
      });
    }
    if (queue[0].kind === 'reenable') {
      const { ticket } = queue.shift() as { ticket: number };
      handled++;
      health.consecutiveFailures = 0;
      health.disabled = false;
      await enableWebhook(input.webhookId);
      reenabled = ticket;
      continue;
    }
    // Every outcome queued up to the next re-enable, saved with one activity.
    let reachedThreshold = false;
    while (queue.length > 0 && queue[0].kind === 'outcome') {
      const { outcome } = queue.shift() as { outcome: DeliveryOutcome };
      handled++;
      if (counted.includes(outcome.deliveryId)) continue;
      counted.push(outcome.deliveryId);
      health.consecutiveFailures = outcome.delivered ? 0 : health.consecutiveFailures + 1;
      if (health.consecutiveFailures >= disableAfterFailures) reachedThreshold = true;
    }
    if (counted.length > rememberedDeliveryIds * 2) counted.splice(0, counted.length - rememberedDeliveryIds);
    const saved = await saveHealth({
      webhookId: input.webhookId,
      consecutiveFailures: health.consecutiveFailures,
      disable: reachedThreshold,
    });
    health.disabled = saved.disabled;
    // Outcomes of a webhook deleted meanwhile: nothing left to watch.
    if (!saved.exists) break;
  }
  await condition(allHandlersFinished);
  return health;
}
