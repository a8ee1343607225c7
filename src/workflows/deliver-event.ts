import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AttemptOutcome } from '../activities/delivery';
import { statusAfterAttempt, type Attempt, type DeliveryStatus } from '../domain/deliveries';
import { searchAttributes, undeliverableFailureType, type DeliverEventInput, type DeliverySettings } from '../domain/workflow-definitions';
import { localCallOptions, untilDone } from './durable-retry';

const untilBack = { initialInterval: '1 second', maximumInterval: '30 seconds' } as const;

const { deliverySettings } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: untilBack });

/** Database and signal steps, as local activities: a delivery costs one server round trip per attempt. */
const { recordAttempt, setDeliveryStatus, reportOutcome } = proxyLocalActivities<Activities>(localCallOptions);
const settingsLocally = proxyLocalActivities<Activities>(localCallOptions).deliverySettings;

/**
 * Replay safety: deliveries recorded before read the worker's settings, when not given them, in a
 * regular activity (a task round trip). Redeliveries, recoveries and test events start without them.
 */
const settingsLocallyPatch = 'delivery-settings-locally';

/**
 * One event to one webhook: up to 1 + retries attempts, waiting the configured delays after each
 * failure. Stops early, without another attempt, once the webhook is disabled or deleted, and at
 * once when the delivery can never be made. Cancelling it aborts the attempt in flight.
 */
export async function deliverEvent(input: DeliverEventInput): Promise<DeliveryStatus> {
  try {
    return await deliver(input);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled by an operator: the delivery log says so, then the workflow ends cancelled.
    await CancellationScope.nonCancellable(() => finish(input, 'cancelled'));
    throw err;
  }
}

async function deliver(input: DeliverEventInput): Promise<DeliveryStatus> {
  const settings = input.settings ?? (await workerSettings());
  const { attemptDelivery } = proxyActivities<Activities>({
    // The attempt enforces its own limit; the activity timeout only catches a worker that died mid-attempt.
    startToCloseTimeout: settings.attemptTimeoutMs + 10_000,
    // The attempt heartbeats while it waits for the receiver, which is how it hears of a cancellation.
    heartbeatTimeout: '10 seconds',
    retry: untilBack,
  });
  const maxAttempts = settings.retryDelaysMs.length + 1;

  for (let attempt = 1; ; attempt++) {
    const result = await attemptOrUndeliverable(() => attemptDelivery({ deliveryId: input.deliveryId, attempt }), attempt);
    if (result.kind === 'not_sent') return finish(input, result.status);
    if (result.kind === 'recorded') {
      // The attempt recorded itself (and reported a final outcome): one task round trip per attempt.
      showStatus(result.status);
      if (result.status !== 'retrying') return result.status;
      await sleep(result.retryInMs);
      continue;
    }

    // Recorded here: an attempt that could not record itself, one that could never be made, and
    // every attempt of histories from before attempts recorded themselves (replay).
    const last = attempt >= maxAttempts || result.kind === 'undeliverable';
    const status = statusAfterAttempt(result.ok, last);
    await untilDone('recording the attempt', () => recordAttempt({ deliveryId: input.deliveryId, result: result.attempt, status }));
    showStatus(status);
    if (status !== 'retrying') {
      const outcome = { webhookId: input.webhookId, deliveryId: input.deliveryId, delivered: result.ok };
      await untilDone('reporting the outcome', () => reportOutcome(outcome));
      return status;
    }
    await sleep(settings.retryDelaysMs[attempt - 1]);
  }
}

/** The worker's retry settings: the fan-out passes them along, a delivery started elsewhere asks for them. */
async function workerSettings(): Promise<DeliverySettings> {
  if (patched(settingsLocallyPatch)) return untilDone('reading the settings', () => settingsLocally());
  return deliverySettings();
}

type AttemptResult = AttemptOutcome | { kind: 'undeliverable'; ok: false; attempt: Attempt };

/** The attempt's outcome; a delivery that can never be made becomes a failed attempt saying why. */
async function attemptOrUndeliverable(attempt: () => Promise<AttemptOutcome>, attemptNumber: number): Promise<AttemptResult> {
  try {
    return await attempt();
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== undeliverableFailureType) throw err;
    return {
      kind: 'undeliverable',
      ok: false,
      attempt: {
        attemptNumber,
        startedAt: new Date().toISOString(),
        durationMs: 0,
        statusCode: null,
        errorClass: 'undeliverable',
        errorMessage: cause.message,
        responseExcerpt: null,
      },
    };
  }
}

async function finish(input: DeliverEventInput, status: DeliveryStatus): Promise<DeliveryStatus> {
  await untilDone('recording the status', () => setDeliveryStatus({ deliveryId: input.deliveryId, status }));
  showStatus(status);
  return status;
}

function showStatus(status: DeliveryStatus): void {
  upsertSearchAttributes([{ key: searchAttributes.deliveryStatus, value: status }]);
}
