import { z } from 'zod';
import { eventTypes, subscribableEventTypes } from '../domain/event-catalog';
import { errorStatuses, type ErrorCode } from '../http/errors';
import { attemptSchema, deliverySchema, integrationSchema, webhookSchema } from './serializers';

// Response shapes the routers build inline (the entities are in serializers.ts), and the error
// shape of errors.ts. Routers annotate their answers with these types.

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorStatuses) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z
        .array(z.object({ path: z.string().meta({ example: 'events.0' }), message: z.string() }))
        .optional()
        .meta({ description: 'Present for validation failures: one entry per problem' }),
    }),
  })
  .meta({ id: 'Error' });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

const createdAt = z.iso.datetime();

export const integrationCreatedSchema = integrationSchema
  .extend({
    token: z.string().meta({ description: 'The API token (`eudr_live_...`), shown only now' }),
    tokenId: z.string().meta({ example: 'tok_0aB1cD2eF3gH4iJ5kL6mN7oP' }),
  })
  .meta({ id: 'IntegrationCreated' });

export const tokenCreatedSchema = z
  .object({ id: z.string(), token: z.string().meta({ description: 'Shown only now' }), createdAt })
  .meta({ id: 'TokenCreated' });

export const webhookWithSecretSchema = webhookSchema
  .extend({ secret: z.string().meta({ description: 'The signing secret (`whsec_` + base64 of 32 bytes)' }) })
  .meta({ id: 'WebhookWithSecret' });

export const eventTypeSchema = z
  .object({
    name: z.enum(eventTypes),
    description: z.string(),
    subscribable: z.boolean().meta({ description: 'False for events webhooks cannot subscribe to (webhook.test)' }),
  })
  .meta({ id: 'EventType' });
export const eventTypeListSchema = listOf(eventTypeSchema);

export const deliveryPageSchema = listOf(deliverySchema)
  .extend({ nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }) })
  .meta({ id: 'DeliveryPage' });

export const deliveryDetailSchema = deliverySchema
  .extend({
    event: z
      .object({ id: z.string(), type: z.string(), timestamp: z.string(), payload: z.unknown().meta({ description: 'The exact body POSTed' }) })
      .optional(),
    attempts: z.array(attemptSchema),
  })
  .meta({ id: 'DeliveryDetail' });

export const recoverResultSchema = z
  .object({ count: z.number().int().meta({ description: 'How many redeliveries were started' }) })
  .meta({ id: 'RecoverResult' });

export const testResultSchema = z.object({ deliveryId: z.string(), eventId: z.string() }).meta({ id: 'TestEventSent' });

export const publishedEventSchema = z
  .object({ id: z.string(), event: z.enum(subscribableEventTypes), integrationId: z.string(), timestamp: createdAt })
  .meta({ id: 'PublishedEvent' });
