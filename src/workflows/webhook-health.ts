import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  deliveryOutcomeSignal,
  healthQuery,
  reenableUpdate,
  searchAttributes,
  webhookDeletedSignal,
  type DeliveryOutcome,
  type WebhookHealth,
  type WebhookHealthInput,
} from '../domain/workflow-definitions';
import { healthProgress } from '../domain/workflow-metadata';
import { isRetryable, localCallOptions, untilDone, waitAfterFailure } from './durable-retry';

/** Short database calls, as local activities: they run within the workflow task. */
const { healthSettings, saveHealth, enableWebhook } = proxyLocalActivities<Activities>(localCallOptions);

const defaultOutcomesPerRun = 1000;
/**
 * Delivery ids remembered so a repeated report is not counted twice. A report is repeated when its
 * send is retried, which under load may come hundreds of outcomes later: the memory spans that.
 */
const rememberedDeliveryIds = 1000;

/**
 * Replay safety: runs recorded before this change continued as new only with an empty queue. Since,
 * a run that is due continues as new at once and hands its unhandled outcomes to the next run, so
 * a steady stream of outcomes cannot keep one run (and its history) growing.
 */
const continueWithQueuePatch = 'health-continues-with-queue';

/** Replay safety: runs recorded before kept no WebhookState search attribute. */
const stateAttributePatch = 'health-state-search-attribute';

type Work = { kind: 'outcome'; outcome: DeliveryOutcome } | { kind: 'reenable'; ticket: number };

const isReenable = (work: Work) => work.kind === 'reenable';

/**
 * One per webhook, for its whole life: counts consecutive failed deliveries, disables the webhook
 * at the threshold, re-enables it on request, and ends when the webhook is deleted. Work is handled
 * in arrival order, so no outcome is lost or counted twice, across runs too.
 */
export async function webhookHealth(input: WebhookHealthInput): Promise<WebhookHealth> {
  const outcomesPerRun = input.outcomesPerRun ?? defaultOutcomesPerRun;
  const counted = input.countedDeliveryIds ?? [];
  const health: WebhookHealth = { consecutiveFailures: input.consecutiveFailures ?? 0, disabled: input.disabled ?? false };
  // What the previous run left comes first, before any signal of this run.
  const queue: Work[] = (input.pendingOutcomes ?? []).map((outcome) => ({ kind: 'outcome', outcome }));
  let unsaved = input.unsaved ?? false;
  let failureReportsHandled = input.failureReportsHandled ?? 0;
  let saveFailures = 0;
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
  const { disableAfterFailures } = await untilDone('reading the health settings', () => healthSettings());
  // WebhookState as last upserted; a run that continued as new inherits it from the run before.
  let shownState = workflowInfo().typedSearchAttributes.get(searchAttributes.webhookState);
  const showState = (state: 'active' | 'disabled') => {
    if (state === shownState || !patched(stateAttributePatch)) return;
    upsertSearchAttributes([{ key: searchAttributes.webhookState, value: state }]);
    shownState = state;
  };
  // When this run disabled the webhook (unknown to a run that continued a disabled one).
  let disabledAtMs: number | undefined;
  // Why the webhook is off when something else turned it off (by hand, or a 410 Gone), as last saved.
  let disabledReason: string | null | undefined;
  const explain = () => {
    const failures = health.consecutiveFailures;
    if (!health.disabled) setCurrentDetails(healthProgress.counting(failures, disableAfterFailures));
    else if (failures >= disableAfterFailures) setCurrentDetails(healthProgress.disabled(failures, disabledAtMs));
    else setCurrentDetails(healthProgress.disabledElsewhere(failures, disableAfterFailures, disabledReason));
    showState(health.disabled ? 'disabled' : 'active');
  };
  explain();
  const dueToContinue = () => handled >= outcomesPerRun || workflowInfo().continueAsNewSuggested;

  // Due runs continue as new once no re-enable waits; runs recorded before the patch only with an empty queue.
  const mayContinue = () => !queue.some(isReenable) && (queue.length === 0 || patched(continueWithQueuePatch));

  for (;;) {
    await condition(() => queue.length > 0 || unsaved || deleted || dueToContinue());
    if (deleted) break;
    if (dueToContinue() && mayContinue()) {
      await condition(() => allHandlersFinished() || queue.some(isReenable) || deleted);
      if (deleted) break;
      if (!mayContinue()) continue;
      return continueAsNew<typeof webhookHealth>({
        webhookId: input.webhookId,
        consecutiveFailures: health.consecutiveFailures,
        disabled: health.disabled,
        countedDeliveryIds: counted.slice(-rememberedDeliveryIds),
        pendingOutcomes: queue.map((work) => (work as { outcome: DeliveryOutcome }).outcome),
        unsaved,
        failureReportsHandled,
        outcomesPerRun: input.outcomesPerRun,
      });
    }
    if (queue[0]?.kind === 'reenable') {
      const { ticket } = queue.shift() as { ticket: number };
      handled++;
      health.consecutiveFailures = 0;
      health.disabled = false;
      unsaved = false;
      await untilDone('re-enabling the webhook', () => enableWebhook(input.webhookId));
      reenabled = ticket;
      explain();
      continue;
    }
    // Every outcome queued up to the next re-enable, then one save.
    while (queue.length > 0 && queue[0].kind === 'outcome') {
      const { outcome } = queue.shift() as { outcome: DeliveryOutcome };
      handled++;
      unsaved = true;
      if (counted.includes(outcome.deliveryId)) continue;
      counted.push(outcome.deliveryId);
      if (outcome.failureReported) failureReportsHandled++;
      health.consecutiveFailures = outcome.delivered ? 0 : health.consecutiveFailures + 1;
    }
    if (counted.length > rememberedDeliveryIds * 2) counted.splice(0, counted.length - rememberedDeliveryIds);
    try {
      const saved = await saveHealth({
        webhookId: input.webhookId,
        consecutiveFailures: health.consecutiveFailures,
        disable: health.consecutiveFailures >= disableAfterFailures,
        failureReportsHandled,
      });
      unsaved = false;
      saveFailures = 0;
      if (saved.disabled && !health.disabled) disabledAtMs = Date.now();
      health.disabled = saved.disabled;
      disabledReason = saved.disabledReason;
      explain();
      // Outcomes of a webhook deleted meanwhile: nothing left to watch.
      if (!saved.exists) break;
    } catch (err) {
      if (!isRetryable(err)) throw err;
      // The database is away: wait on a durable timer, or continue as new (still unsaved) if due.
      await condition(() => deleted || (dueToContinue() && !queue.some(isReenable)), waitAfterFailure(++saveFailures));
    }
  }
  // Every way out of the loop is the webhook's deletion.
  setCurrentDetails(healthProgress.deleted);
  await condition(allHandlersFinished);
  return health;
}
