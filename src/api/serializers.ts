import type { Integration } from '../db/integrations';
import type { Webhook } from '../db/webhooks';
import type { Attempt, Delivery } from '../db/deliveries';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const integrationJson = (integration: Integration) => ({
  id: integration.id,
  name: integration.name,
  createdAt: iso(integration.createdAt),
});

/** A webhook as the API shows it; the secret only where the caller asks (at creation). */
export function webhookJson(webhook: Webhook, { withSecret = false } = {}) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    active: webhook.active,
    ...(withSecret ? { secret: webhook.secret } : {}),
    /** Until then the previous secret (before the last rotation) also signs deliveries. */
    previousSecretExpiresAt: iso(webhook.previousSecretExpiresAt),
    consecutiveFailures: webhook.consecutiveFailures,
    disabledReason: webhook.disabledReason,
    disabledAt: iso(webhook.disabledAt),
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  };
}

export const deliveryJson = (delivery: Delivery) => ({
  id: delivery.id,
  webhookId: delivery.webhookId,
  eventId: delivery.eventId,
  eventType: delivery.eventType,
  status: delivery.status,
  attemptCount: delivery.attemptCount,
  redeliveryOf: delivery.redeliveryOf,
  createdAt: iso(delivery.createdAt),
  updatedAt: iso(delivery.updatedAt),
  finishedAt: iso(delivery.finishedAt),
});

export const attemptJson = (attempt: Attempt) => ({
  attempt: attempt.attemptNumber,
  startedAt: attempt.startedAt,
  durationMs: attempt.durationMs,
  statusCode: attempt.statusCode,
  error: attempt.errorClass ? { class: attempt.errorClass, message: attempt.errorMessage } : null,
  responseExcerpt: attempt.responseExcerpt,
});
