import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AttemptOutcome } from '../activities/delivery';
import { isGone, statusAfterAttempt, type Attempt, type DeliveryStatus } from '../domain/deliveries';
import { searchAttributes, undeliverableFailureType, type DeliverEventInput, type DeliverySettings } from '../domain/workflow-definitions';
import { deliveryProgress, deliveryStepSummary, type AttemptAnswer } from '../domain/workflow-metadata';
import { localCallOptions, untilDone } from './durable-retry';

const untilBack = { initialInterval: '1 second', maximumInterval: '30 seconds' } as const;

const { deliverySettings } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: untilBack });

/** Database and signal steps, as local activities: a delivery costs one server round trip per attempt. */
const { recordAttempt, setDeliveryStatus, reportOutcome, disableGoneWebhook } = proxyLocalActivities<Activities>(localCallOptions);
const settingsLocally = proxyLocalActivities<Activities>(localCallOptions).deliverySettings;

/**
 * Replay safety: deliveries recorded before read the worker's settings, when not given them, in a
 * regular activity (a task round trip). Redeliveries, recoveries and test events start without them.
 */
const settingsLocallyPatch = 'delivery-settings-locally';

/**
 * Replay safety: deliveries recorded before made their first attempt in a regular activity. Those
 * since also upsert DeliveryAttempts, so they need no marker of `attemptsAttributePatch`.
 */
const firstAttemptLocallyPatch = 'first-attempt-local';

/** Replay safety: deliveries recorded before upserted only DeliveryStatus after an attempt, not DeliveryAttempts too. */
const attemptsAttributePatch = 'delivery-attempts-search-attribute';

/**
 * What a delivery's code version does, read from its history's patch markers. A new delivery
 * records one marker: each also upserts a search attribute, a visibility write on the server.
 */
interface DeliveryVersion {
  /** Its first attempt runs as a local activity. */
  firstAttemptLocal: boolean;
  /** It upserts DeliveryAttempts after an attempt (asked at the first attempt's end, where older histories decided it). */
  upsertsAttempts(): boolean;
}

function deliveryVersion(): DeliveryVersion {
  if (patched(firstAttemptLocallyPatch)) return { firstAttemptLocal: true, upsertsAttempts: () => true };
  return { firstAttemptLocal: false, upsertsAttempts: () => patched(attemptsAttributePatch) };
}

/**
 * One event to one webhook: up to 1 + retries attempts, waiting the configured delays after each
 * failure. Stops early, without another attempt, once the webhook is disabled or deleted, and at
 * once when the delivery can never be made. Cancelling it aborts the attempt in flight (a first
 * attempt once its workflow task heartbeats, see attemptActivities).
 */
export async function deliverEvent(input: DeliverEventInput): Promise<DeliveryStatus> {
  try {
    return await deliver(input);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled by an operator: the delivery log says so, then the workflow ends cancelled.
    await CancellationScope.nonCancellable(() => finish(input, 'cancelled', deliveryProgress.cancelled));
    throw err;
  }
}

async function deliver(input: DeliverEventInput): Promise<DeliveryStatus> {
  const settings = input.settings ?? (await workerSettings());
  const version = deliveryVersion();
  const attemptDelivery = attemptActivities(settings, version);
  const maxAttempts = settings.retryDelaysMs.length + 1;

  for (let attempt = 1; ; attempt++) {
    setCurrentDetails(deliveryProgress.sending(attempt, maxAttempts));
    const summary = deliveryStepSummary.attempt(attempt, maxAttempts);
    const result = await attemptOrUndeliverable(() => attemptDelivery(attempt)(summary, [{ deliveryId: input.deliveryId, attempt }]), attempt);
    if (result.kind === 'not_sent') return finish(input, result.status, result.status === 'skipped' ? deliveryProgress.skipped : deliveryProgress.webhookDeleted);
    if (result.kind === 'recorded') {
      // The attempt recorded itself (and reported a final outcome): no further step before the next wait or the end.
      showProgress(result.status, { attempts: attempt, version });
      explain(result.status, attempt, maxAttempts, result.answer, result.retryInMs);
      if (result.status !== 'retrying') return result.status;
      await sleep(result.retryInMs, { summary: deliveryStepSummary.wait(result.retryInMs, attempt + 1) });
      continue;
    }

    // Recorded here: an attempt that could not record itself, one that could never be made, and
    // every attempt of histories from before attempts recorded themselves (replay). What the answer
    // means comes from the attempt where it says (histories from before back-pressure do not, and
    // replay the same steps as then).
    const sent = result.kind === 'sent' ? result : undefined;
    const last = attempt >= maxAttempts || result.kind === 'undeliverable';
    const status = sent?.status ?? statusAfterAttempt(result.ok, last);
    if (sent?.gone) await untilDone('disabling the gone webhook', () => disableGoneWebhook(sent.webhookId));
    await untilDone('recording the attempt', () => recordAttempt({ deliveryId: input.deliveryId, result: result.attempt, status }));
    showProgress(status, { attempts: attempt, version });
    const retryInMs = status === 'retrying' ? (sent?.retryInMs ?? settings.retryDelaysMs[attempt - 1]) : 0;
    if (result.kind === 'undeliverable') setCurrentDetails(deliveryProgress.undeliverable(result.attempt.errorMessage ?? 'unknown'));
    else explain(status, attempt, maxAttempts, result.attempt, retryInMs);
    if (status !== 'retrying') {
      const outcome = { webhookId: input.webhookId, deliveryId: input.deliveryId, delivered: result.ok };
      await untilDone('reporting the outcome', () => reportOutcome(outcome));
      return status;
    }
    await sleep(retryInMs, { summary: deliveryStepSummary.wait(retryInMs, attempt + 1) });
  }
}

/**
 * How each attempt runs. The first as a local activity: it runs in the worker that holds the
 * workflow task and its result comes back with that task's completion, so a delivery that
 * succeeds at once costs the server one workflow task and no activity task. Retries, where
 * receivers are slow or failing, as regular activities: the Web UI shows them pending, they
 * heartbeat, and a cancellation aborts them within a second (a local attempt hears of it when its
 * workflow task heartbeats, after about 8 s, or ends first). Deliveries recorded before made every
 * attempt a regular activity.
 */
function attemptActivities(settings: DeliverySettings, version: DeliveryVersion): (attempt: number) => AttemptCall {
  // The attempt enforces its own limit; the activity timeout only catches a worker that died mid-attempt.
  const timeouts = { startToCloseTimeout: settings.attemptTimeoutMs + 10_000, retry: untilBack };
  // A regular attempt heartbeats while it waits for the receiver, which is how it hears of a cancellation.
  const regular = proxyActivities<Activities>({ ...timeouts, heartbeatTimeout: '10 seconds' }).attemptDelivery;
  const regularCall: AttemptCall = (summary, args) => regular.executeWithOptions({ summary }, args);
  if (!version.firstAttemptLocal) return () => regularCall;
  const local = proxyLocalActivities<Activities>(timeouts).attemptDelivery;
  const localCall: AttemptCall = (summary, args) => local.executeWithOptions({ summary }, args);
  return (attempt) => (attempt === 1 ? localCall : regularCall);
}

type AttemptCall = (summary: string, args: Parameters<Activities['attemptDelivery']>) => Promise<AttemptOutcome>;

/** The current details after an attempt: how it went and what comes next. */
function explain(status: DeliveryStatus, attempt: number, maxAttempts: number, answer: AttemptAnswer | undefined, retryInMs: number): void {
  if (status === 'delivered') setCurrentDetails(deliveryProgress.delivered(attempt, answer));
  else if (status === 'failed' && isGone(answer?.statusCode ?? null)) setCurrentDetails(deliveryProgress.gone(attempt, answer));
  else if (status === 'retrying') setCurrentDetails(deliveryProgress.retrying(attempt, maxAttempts, answer, Date.now() + retryInMs));
  else setCurrentDetails(deliveryProgress.failed(attempt, maxAttempts, answer));
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
    // A regular activity's failure wraps the attempt's; a local activity's is the attempt's own.
    const cause = err instanceof ActivityFailure ? err.cause : err;
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

/** Ends a delivery that makes no further attempt, saying why (`details`). */
async function finish(input: DeliverEventInput, status: DeliveryStatus, details: string): Promise<DeliveryStatus> {
  setCurrentDetails(details);
  await untilDone('recording the status', () => setDeliveryStatus({ deliveryId: input.deliveryId, status }));
  showProgress(status);
  return status;
}

/** The search attributes: the delivery's status and, after an attempt, the attempts made. */
function showProgress(status: DeliveryStatus, after?: { attempts: number; version: DeliveryVersion }): void {
  if (after?.version.upsertsAttempts()) {
    upsertSearchAttributes([
      { key: searchAttributes.deliveryStatus, value: status },
      { key: searchAttributes.deliveryAttempts, value: after.attempts },
    ]);
    return;
  }
  upsertSearchAttributes([{ key: searchAttributes.deliveryStatus, value: status }]);
}
