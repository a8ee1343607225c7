import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { plannedDelivery, startDeliveryWorkflows, type PlannedDelivery } from '../client/delivery-workflows';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { deliverySettings, type Config } from '../config';
import type { Repositories } from '../db';
import { MissingDeliveryDataError, type RecordedAttempt } from '../db/deliveries';
import { SecretDecryptionError } from '../db/secret-box';
import { EventIdConflictError, UnknownIntegrationError, type DeliveryStarter } from '../db/publications';
import { coalescedAnnouncements } from '../db/start-announcements';
import { isFinalStatus, isGone, statusAfterAttempt, type Attempt, type DeliveryStatus } from '../domain/deliveries';
import {
  deliveryOutcomeSignal,
  healthSearchAttributes,
  type DeliverySettings,
  type PublishEventInput,
  publicationRefusals,
  type RecordedPublication,
  undeliverableFailureType,
} from '../domain/workflow-definitions';
import { workflowIds } from '../domain/workflow-ids';
import type { HttpSender, SendResult } from './http-sender';
import { signatureHeaders } from '../domain/signing';
import { payloadBody } from '../domain/event-payload';
import { healthSummary, type AttemptAnswer } from '../domain/workflow-metadata';
import { nextAttemptDelay } from './retry-after';

export interface DeliveryActivityDeps {
  repos: Repositories;
  sender: HttpSender;
  client: Client;
  config: Pick<Config, 'retryDelaysMs' | 'attemptTimeoutMs' | 'maxRetryAfterMs' | 'temporalTaskQueue'>;
  metrics: Metrics;
  logger: Logger;
}

/** The running activity's workflow id, for logs. */
const workflowId = () => Context.current().info.workflowExecution?.workflowId;

export type AttemptOutcome =
  /**
   * Sent, recorded with the delivery's new status and, when that is final, reported to health.
   * `answer` (absent from histories recorded before) is what the workflow's current details show.
   */
  | { kind: 'recorded'; ok: boolean; status: DeliveryStatus; retryInMs: number; answer?: AttemptAnswer }
  /**
   * Sent, but not recorded (the database or Temporal was away): the workflow records it. `status`,
   * `retryInMs` and `gone` (absent from histories recorded before) say what the answer means.
   */
  | { kind: 'sent'; ok: boolean; attempt: Attempt; webhookId: string; status?: DeliveryStatus; retryInMs?: number; gone?: boolean }
  /** No request was made: the webhook was disabled (skipped) or deleted (cancelled). */
  | { kind: 'not_sent'; status: 'skipped' | 'cancelled' };

/** A delivery's final outcome, for its webhook's health; `url` names the webhook in the health workflow's summary. */
export interface Outcome {
  webhookId: string;
  deliveryId: string;
  delivered: boolean;
  url?: string;
}

const userAgent = 'EUDR-Platform-Webhook/1.0';

/**
 * Heartbeats every second while `work` runs, so the server can tell a regular activity it was
 * cancelled. A local activity hears of it from its own worker and has no heartbeat to send.
 */
async function whileHeartbeating<T>(context: Context, work: () => Promise<T>): Promise<T> {
  if (context.info.isLocal) return work();
  const beat = setInterval(() => context.heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

/** Missing rows and secrets that no longer decrypt do not come back by retrying: the delivery ends failed. */
async function undeliverableIfBroken<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MissingDeliveryDataError || err instanceof SecretDecryptionError) {
      throw ApplicationFailure.create({ type: undeliverableFailureType, message: err.message, nonRetryable: true });
    }
    throw err;
  }
}

type NotSent = Extract<AttemptOutcome, { kind: 'not_sent' }>;
/** A POST made: where it went, the sender's result and the attempt as it is recorded. */
interface Sent {
  kind: 'sent';
  webhookId: string;
  url: string;
  result: SendResult;
  attempt: Attempt;
}

/**
 * What an attempt's answer means for its delivery: 410 Gone ends it (and disables the webhook);
 * otherwise a failure before the last attempt retries after the scheduled delay, stretched to a
 * 429's or 503's Retry-After up to the configured cap. The attempt records that wait.
 */
function meaningOf(
  { webhookId, result, attempt }: Sent,
  { retryDelaysMs, maxRetryAfterMs }: Pick<Config, 'retryDelaysMs' | 'maxRetryAfterMs'>,
): Extract<AttemptOutcome, { kind: 'sent' }> & { status: DeliveryStatus; retryInMs: number; gone: boolean } {
  const gone = isGone(result.statusCode);
  const status = statusAfterAttempt(result.ok, gone || attempt.attemptNumber >= retryDelaysMs.length + 1);
  const retryInMs = status === 'retrying' ? nextAttemptDelay(retryDelaysMs[attempt.attemptNumber - 1], result.retryAfterMs, maxRetryAfterMs) : 0;
  const recorded = { ...attempt, nextAttemptInMs: status === 'retrying' ? retryInMs : null };
  return { kind: 'sent', ok: result.ok, webhookId, attempt: recorded, status, retryInMs, gone };
}

export function createDeliveryActivities({ repos, sender, client, config, metrics, logger }: DeliveryActivityDeps) {
  const settings = (): DeliverySettings => deliverySettings(config);
  const announceAwaitingStart = coalescedAnnouncements(repos.deliveries, logger);

  /**
   * Records a publication of the TypeScript publisher: its event (once per integration and id) and
   * its pending deliveries, which `startBy` starts. An id used for another event type fails for good.
   */
  async function recordPublication(event: PublishEventInput, startBy: DeliveryStarter) {
    try {
      return await repos.publications.record(
        { id: event.id, integrationId: event.integrationId, type: event.event, timestamp: event.timestamp, body: payloadBody(event) },
        { startBy, taskQueue: config.temporalTaskQueue },
      );
    } catch (err) {
      if (err instanceof EventIdConflictError) throw ApplicationFailure.nonRetryable(err.message, publicationRefusals.eventIdConflict);
      throw err;
    }
  }
  /** Records a publication whose deliveries the workers start, and tells them when it has any. */
  async function leaveToWorkers(event: PublishEventInput) {
    const publication = await recordPublication(event, 'workers');
    if (publication.deliveries.length > 0) announceAwaitingStart();
    return publication;
  }
  const finished = (deliveryId: string, status: DeliveryStatus) => {
    if (!isFinalStatus(status)) return;
    metrics.deliveries.inc({ status });
    logger.info({ deliveryId, workflowId: workflowId(), status }, 'delivery finished');
  };

  /** Saves an attempt and the delivery's new status; undefined when the delivery's row is gone. */
  async function record(deliveryId: string, attempt: Attempt, status: DeliveryStatus): Promise<RecordedAttempt | undefined> {
    const recorded = await repos.deliveries.recordAttempt(deliveryId, attempt, status);
    finished(deliveryId, status);
    return recorded;
  }

  /** A final outcome to the webhook's health workflow, unless it changes nothing there (see reportOutcome). */
  async function report({ webhookId, deliveryId, delivered, url }: Outcome, known: RecordedAttempt): Promise<void> {
    if (delivered && known.webhookHealthyWithNothingPending) return;
    const failureReported = !delivered && known.failureCounted;
    await client.workflow.signalWithStart('webhookHealth', {
      workflowId: workflowIds.health(webhookId),
      taskQueue: config.temporalTaskQueue,
      args: [{ webhookId }],
      signal: deliveryOutcomeSignal,
      signalArgs: [{ deliveryId, delivered, ...(failureReported ? { failureReported } : {}) }],
      staticSummary: healthSummary(webhookId, url),
      typedSearchAttributes: healthSearchAttributes(webhookId),
    });
  }

  /** One signed POST, unless the webhook is no longer active (then no request is made). */
  async function send({ deliveryId, attempt }: { deliveryId: string; attempt: number }): Promise<NotSent | Sent> {
    const target = await undeliverableIfBroken(() => repos.deliveries.attemptTarget(deliveryId));
    if (target.webhookDeleted) return { kind: 'not_sent', status: 'cancelled' };
    if (!target.webhookActive) return { kind: 'not_sent', status: 'skipped' };

    const { delivery, body } = target;
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': userAgent,
      'X-Webhook-Event': delivery.eventType,
      'X-Webhook-Id': delivery.webhookId,
      'X-Webhook-Timestamp': target.eventTimestamp,
      'X-Webhook-Delivery-Id': delivery.id,
      'X-Webhook-Attempt': String(attempt),
      ...signatureHeaders({
        secrets: target.secrets,
        deliveryId: delivery.id,
        eventTimestamp: target.eventTimestamp,
        attemptUnixSeconds: Math.floor(Date.now() / 1000),
        body,
      }),
    };
    const context = Context.current();
    const result = await whileHeartbeating(context, () => sender.send({ url: target.url, headers, body }, context.cancellationSignal));
    // Cancelled or terminated meanwhile: the request was aborted; report the cancellation.
    context.cancellationSignal.throwIfAborted();
    const outcome = result.ok ? 'success' : 'failure';
    metrics.attempts.inc({ outcome, error_class: result.errorClass ?? 'none' });
    metrics.attemptDuration.observe({ outcome }, result.durationMs / 1000);
    logger.info(
      {
        deliveryId: delivery.id,
        webhookId: delivery.webhookId,
        eventId: delivery.eventId,
        workflowId: workflowId(),
        attempt,
        statusCode: result.statusCode,
        errorClass: result.errorClass,
        durationMs: result.durationMs,
      },
      result.ok ? 'delivery attempt succeeded' : `delivery attempt failed: ${result.errorMessage}`,
    );
    return {
      kind: 'sent',
      webhookId: delivery.webhookId,
      url: target.url,
      result,
      attempt: {
        attemptNumber: attempt,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        errorClass: result.errorClass,
        errorMessage: result.errorMessage,
        responseExcerpt: result.responseExcerpt,
      },
    };
  }

  const activities = {
    /**
     * Records the event (once per integration and id) and one pending delivery per active webhook
     * subscribed to it; idempotent. Fans out the event as first stored: an id used again for
     * another event type is refused rather than mixed up with the first.
     */
    async planDeliveries(event: PublishEventInput): Promise<PlannedDelivery[]> {
      // This fan-out (as recorded before leaveDeliveriesToWorkers) starts them itself, and retries until it has.
      const { deliveries } = await recordPublication(event, 'caller');
      return deliveries.map((delivery) => plannedDelivery(delivery, settings()));
    },

    /**
     * Records the event and its pending deliveries as planDeliveries does, but leaves their start to
     * the workers, announced as a REST publication's are: a worker claims them and starts them on
     * its connection, eagerly, each once it has a workflow slot for it (its sweep starts any the
     * announcement did not reach). Idempotent. Returns how many deliveries the event has.
     */
    async leaveDeliveriesToWorkers(event: PublishEventInput): Promise<number> {
      return (await leaveToWorkers(event)).deliveries.length;
    },

    /**
     * The publication workflow's record of one event: as leaveDeliveriesToWorkers, answering with
     * the event as first published. An unknown integration is refused for good here (its producer
     * is waiting for the answer), where a fan-out keeps trying.
     */
    async publishForWorkers(event: PublishEventInput): Promise<RecordedPublication> {
      try {
        const { event: stored, deliveries } = await leaveToWorkers(event);
        const published = { id: stored.id, event: stored.type, integrationId: stored.integrationId, timestamp: stored.timestamp };
        return { published, deliveries: deliveries.length };
      } catch (err) {
        if (err instanceof UnknownIntegrationError) throw ApplicationFailure.nonRetryable(err.message, publicationRefusals.unknownIntegration);
        throw err;
      }
    },

    /** Starts the planned delivery workflows, a few at a time; one started already is left as it is. */
    async startDeliveries(planned: PlannedDelivery[]): Promise<void> {
      // The worker's own client: its connection is the worker's, so the deliveries start eagerly.
      // Not through the worker's start gate: this activity's workflow task holds a slot while it
      // runs, so fan-outs waiting at the gate could hold every slot the gate waits for.
      await startDeliveryWorkflows({ client, taskQueue: config.temporalTaskQueue, eagerStart: true }, planned, settings());
    },

    async deliverySettings(): Promise<DeliverySettings> {
      return settings();
    },

    /**
     * One signed POST, unless the webhook is no longer active, then its record: the attempt, the
     * delivery's new status (by the worker's retry settings and the receiver's back-pressure) and,
     * when final, the report to health. A 410 Gone disables the webhook first and ends the delivery.
     * Failures of the receiver are results, not errors; a delivery that can never be made is a
     * non-retryable Undeliverable failure. If recording fails, the workflow records the attempt
     * itself (durably) rather than the activity being retried and sending again.
     */
    async attemptDelivery(input: { deliveryId: string; attempt: number }): Promise<AttemptOutcome> {
      const made = await send(input);
      if (made.kind !== 'sent') return made;
      const sent = meaningOf(made, config);
      const { status, retryInMs } = sent;
      try {
        if (sent.gone) await activities.disableGoneWebhook(sent.webhookId);
        const recorded = await record(input.deliveryId, sent.attempt, status);
        if (status !== 'retrying') {
          const outcome = { webhookId: sent.webhookId, deliveryId: input.deliveryId, delivered: sent.ok, url: made.url };
          // The record said what the report needs; a delivery whose row is gone reads it as the workflow's report does.
          if (recorded) await report(outcome, recorded);
          else await activities.reportOutcome(outcome);
        }
      } catch (err) {
        logger.warn({ err, deliveryId: input.deliveryId, workflowId: workflowId() }, 'attempt made but not recorded; the workflow records it');
        return sent;
      }
      const { statusCode, errorClass, errorMessage, durationMs } = sent.attempt;
      return { kind: 'recorded', ok: sent.ok, status, retryInMs, answer: { statusCode, errorClass, errorMessage, durationMs } };
    },

    /** Turns the webhook off after its receiver answered 410 Gone (SPEC: no further attempt, `disabledReason: "gone"`). */
    async disableGoneWebhook(webhookId: string): Promise<void> {
      if (!(await repos.webhooks.disableGone(webhookId))) return;
      metrics.webhooksDisabled.inc();
      logger.warn({ webhookId, workflowId: workflowId() }, 'webhook disabled: its receiver answered 410 Gone');
    },

    async recordAttempt({ deliveryId, result, status }: { deliveryId: string; result: Attempt; status: DeliveryStatus }): Promise<void> {
      await record(deliveryId, result, status);
    },

    async setDeliveryStatus({ deliveryId, status }: { deliveryId: string; status: DeliveryStatus }): Promise<void> {
      await repos.deliveries.setStatus(deliveryId, status);
      finished(deliveryId, status);
    },

    /**
     * Tells the webhook's health workflow (starting it if this is its first outcome, with a summary
     * naming the webhook's `url` where known), unless the delivery succeeded while the webhook is
     * healthy with no failure on its way to the workflow: then the outcome changes nothing, and a
     * webhook that never fails needs no health workflow.
     */
    async reportOutcome(outcome: Outcome): Promise<void> {
      const { webhookId, deliveryId, delivered } = outcome;
      const webhookHealthyWithNothingPending = delivered && (await repos.webhooks.healthyWithNothingPending(webhookId));
      const failureCounted = !delivered && (await repos.deliveries.failureCounted(deliveryId));
      await report(outcome, { webhookHealthyWithNothingPending, failureCounted });
    },
  };
  return activities;
}
