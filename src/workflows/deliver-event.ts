import { proxyActivities, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { searchAttributes, type DeliverEventInput, type DeliveryStatus } from './definitions';

const untilBack = { initialInterval: '1 second', maximumInterval: '30 seconds' } as const;

const { deliverySettings } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: untilBack });

/**
 * Short database and Temporal calls, as local activities: they run within the workflow task, so
 * a delivery costs one server round trip per attempt instead of one per step. Retried until the
 * dependency is back.
 */
const { recordAttempt, setDeliveryStatus, reportOutcome } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: untilBack,
});

/**
 * One event to one webhook: up to 1 + retries attempts, waiting the configured delays after each
 * failure. Stops early, without another attempt, once the webhook is disabled or deleted.
 */
export async function deliverEvent(input: DeliverEventInput): Promise<DeliveryStatus> {
  // The fan-out passes the worker's settings along; a delivery started elsewhere asks for them.
  const settings = input.settings ?? (await deliverySettings());
  // The attempt enforces its own limit; the activity timeout only catches a worker that died mid-attempt.
  const { attemptDelivery } = proxyActivities<Activities>({ startToCloseTimeout: settings.attemptTimeoutMs + 10_000, retry: untilBack });
  const maxAttempts = settings.retryDelaysMs.length + 1;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const result = await attemptDelivery({ deliveryId: input.deliveryId, attempt });
    if (result.kind === 'not_sent') return finish(input, result.status);

    const last = attempt === maxAttempts;
    const status: DeliveryStatus = result.ok ? 'delivered' : last ? 'failed' : 'retrying';
    await recordAttempt({ deliveryId: input.deliveryId, result: result.attempt, status });
    showStatus(status);
    if (status !== 'retrying') {
      await reportOutcome({ webhookId: input.webhookId, deliveryId: input.deliveryId, delivered: result.ok });
      return status;
    }
    await sleep(settings.retryDelaysMs[attempt - 1]);
  }
  throw new Error('unreachable: the last attempt always finishes the delivery');
}

async function finish(input: DeliverEventInput, status: DeliveryStatus): Promise<DeliveryStatus> {
  await setDeliveryStatus({ deliveryId: input.deliveryId, status });
  showStatus(status);
  return status;
}

function showStatus(status: DeliveryStatus): void {
  upsertSearchAttributes([{ key: searchAttributes.deliveryStatus, value: status }]);
}
