import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Config } from '../config';
import type { Repositories } from '../db';
import type { Attempt } from '../db/deliveries';
import { newId } from '../ids';
import {
  deliveryOutcomeSignal,
  isFinalStatus,
  workflowIds,
  type DeliverEventInput,
  type DeliveryStatus,
  type DeliverySettings,
  type PublishEventInput,
} from '../workflows/definitions';
import type { HttpSender } from './http-sender';
import { signatureHeaders } from './signing';
import { payloadBody } from '../events/payload';

export interface DeliveryActivityDeps {
  repos: Repositories;
  sender: HttpSender;
  client: Client;
  config: Pick<Config, 'retryDelaysMs' | 'attemptTimeoutMs' | 'temporalTaskQueue'>;
  metrics: Metrics;
  logger: Logger;
}

/** The running activity's workflow id, for logs. */
const workflowId = () => Context.current().info.workflowExecution?.workflowId;

export interface PlannedDelivery {
  workflowId: string;
  input: DeliverEventInput;
}

export type AttemptOutcome =
  | { kind: 'sent'; ok: boolean; attempt: Attempt }
  /** No request was made: the webhook was disabled (skipped) or deleted (cancelled). */
  | { kind: 'not_sent'; status: 'skipped' | 'cancelled' };

const userAgent = 'EUDR-Platform-Webhook/1.0';

export function createDeliveryActivities({ repos, sender, client, config, metrics, logger }: DeliveryActivityDeps) {
  const finished = (deliveryId: string, status: DeliveryStatus) => {
    if (!isFinalStatus(status)) return;
    metrics.deliveries.inc({ status });
    logger.info({ deliveryId, workflowId: workflowId(), status }, 'delivery finished');
  };

  return {
    /** Records the event and one pending delivery per active subscribed webhook; idempotent. */
    async planDeliveries(event: PublishEventInput): Promise<PlannedDelivery[]> {
      const deliveries = await repos.db.transaction(async (trx) => {
        await repos.events.insertOnce(
          { id: event.id, integrationId: event.integrationId, type: event.event, timestamp: event.timestamp, body: payloadBody(event) },
          trx,
        );
        const webhookIds = await repos.webhooks.subscribedIds(event.integrationId, event.event, trx);
        return repos.deliveries.insertPending(
          webhookIds.map((webhookId) => ({
            id: newId('delivery'),
            workflowId: workflowIds.delivery(event.id, webhookId),
            eventId: event.id,
            webhookId,
            integrationId: event.integrationId,
            eventType: event.event,
          })),
          trx,
        );
      });
      return deliveries.map((d) => ({
        workflowId: d.workflowId,
        input: {
          deliveryId: d.id,
          eventId: d.eventId,
          webhookId: d.webhookId,
          integrationId: d.integrationId,
          eventType: d.eventType,
          settings: { retryDelaysMs: config.retryDelaysMs, attemptTimeoutMs: config.attemptTimeoutMs },
        },
      }));
    },

    async deliverySettings(): Promise<DeliverySettings> {
      return { retryDelaysMs: config.retryDelaysMs, attemptTimeoutMs: config.attemptTimeoutMs };
    },

    /** One signed POST, unless the webhook is no longer active. Failures are results, not errors. */
    async attemptDelivery({ deliveryId, attempt }: { deliveryId: string; attempt: number }): Promise<AttemptOutcome> {
      const target = await repos.deliveries.attemptTarget(deliveryId);
      if (!target) throw new Error(`delivery ${deliveryId} does not exist`);
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
      const result = await sender.send({ url: target.url, headers, body });
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
        ok: result.ok,
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
    },

    async recordAttempt({ deliveryId, result, status }: { deliveryId: string; result: Attempt; status: DeliveryStatus }): Promise<void> {
      await repos.deliveries.recordAttempt(deliveryId, result, status);
      finished(deliveryId, status);
    },

    async setDeliveryStatus({ deliveryId, status }: { deliveryId: string; status: DeliveryStatus }): Promise<void> {
      await repos.deliveries.setStatus(deliveryId, status);
      finished(deliveryId, status);
    },

    /** Tells the webhook's health workflow, starting it if this is its first outcome. */
    async reportOutcome({ webhookId, deliveryId, delivered }: { webhookId: string; deliveryId: string; delivered: boolean }): Promise<void> {
      await client.workflow.signalWithStart('webhookHealth', {
        workflowId: workflowIds.health(webhookId),
        taskQueue: config.temporalTaskQueue,
        args: [{ webhookId }],
        signal: deliveryOutcomeSignal,
        signalArgs: [{ deliveryId, delivered }],
      });
    },
  };
}
