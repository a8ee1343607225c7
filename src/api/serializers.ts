import { z } from 'zod';
import type { Integration } from '../db/integrations';
import type { Webhook } from '../db/webhooks';
import { disabledReasons } from '../db/webhooks';
import type { Delivery } from '../db/deliveries';
import { deliveryStatuses, type Attempt } from '../domain/deliveries';

// Each response shape is a zod schema (for the OpenAPI document) right above the serializer that
// builds it; the serializers return z.infer of their schema, so the two cannot drift apart.

function iso(date: Date): string;
function iso(date: Date | null): string | null;
function iso(date: Date | null) {
  return date ? date.toISOString() : null;
}

const timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC, with milliseconds' });
const nullableTimestamp = timestamp.nullable();

export const integrationSchema = z
  .object({ id: z.string().meta({ example: 'int_4hPq0cTqTqgkYf0wQhM8n2Xa' }), name: z.string(), createdAt: timestamp })
  .meta({ id: 'Integration' });

export const integrationJson = (integration: Integration): z.infer<typeof integrationSchema> => ({
  id: integration.id,
  name: integration.name,
  createdAt: iso(integration.createdAt),
});

export const webhookSchema = z
  .object({
    id: z.string().meta({ example: 'wh_8Lx2mV0QwYk3ZfR7TgNc1Hds' }),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    active: z.boolean(),
    secret: z.string().optional().meta({ description: 'Only in the answers to creation and secret rotation: `whsec_` + base64 of 32 bytes' }),
    previousSecretExpiresAt: nullableTimestamp.meta({ description: 'Until then the previous secret also signs deliveries' }),
    consecutiveFailures: z.number().int(),
    disabledReason: z.enum(disabledReasons).nullable().meta({
      description: 'Why it is off: `consecutive_failures` (its health), `gone` (its receiver answered 410 Gone) or `manual` (PATCH `active: false`)',
    }),
    disabledAt: nullableTimestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Webhook' });

/** A webhook as the API shows it; the secret only where the caller asks (at creation). */
export function webhookJson(webhook: Webhook, { withSecret = false } = {}): z.infer<typeof webhookSchema> {
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

export const deliverySchema = z
  .object({
    id: z.string().meta({ example: 'dlv_2bN7yQ4sKp9XwL0aZc5TfGmE' }),
    workflowId: z.string().meta({ description: 'Its `deliverEvent` workflow in Temporal' }),
    webhookId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(deliveryStatuses),
    attemptCount: z.number().int(),
    redeliveryOf: z.string().nullable().meta({ description: 'The delivery this one repeats (redelivery or recovery)' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    finishedAt: nullableTimestamp,
  })
  .meta({ id: 'Delivery' });

export const deliveryJson = (delivery: Delivery): z.infer<typeof deliverySchema> => ({
  id: delivery.id,
  workflowId: delivery.workflowId,
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

export const attemptSchema = z
  .object({
    attempt: z.number().int().meta({ description: '1 to 4' }),
    startedAt: z.string(),
    durationMs: z.number(),
    statusCode: z.number().int().nullable(),
    error: z.object({ class: z.string(), message: z.string().nullable() }).nullable(),
    responseExcerpt: z.string().nullable().meta({ description: 'The first 1 KiB of the response body' }),
    nextAttemptInMs: z.number().int().nullable().meta({
      description: "The wait before the next attempt: the scheduled delay, or longer when the receiver answered 429 or 503 with Retry-After (capped by WEBHOOK_MAX_RETRY_AFTER_MS). Null after the last attempt.",
    }),
  })
  .meta({ id: 'Attempt' });

export const attemptJson = (attempt: Attempt): z.infer<typeof attemptSchema> => ({
  attempt: attempt.attemptNumber,
  startedAt: attempt.startedAt,
  durationMs: attempt.durationMs,
  statusCode: attempt.statusCode,
  error: attempt.errorClass ? { class: attempt.errorClass, message: attempt.errorMessage } : null,
  responseExcerpt: attempt.responseExcerpt,
  nextAttemptInMs: attempt.nextAttemptInMs ?? null,
});
