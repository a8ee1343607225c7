import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { eventCatalog, isSubscribableEventType, subscribableEventTypes, type EventData, type SubscribableEventType } from '../domain/event-catalog';
import type { PublishEventInput } from '../domain/workflow-definitions';
import { workflowIds } from '../domain/workflow-ids';
import { randomBase62 } from '../domain/ids';
import { publishSummary } from '../domain/workflow-metadata';

export interface PublishRequest<T extends SubscribableEventType = SubscribableEventType> {
  integrationId: string;
  event: T;
  data: EventData<T>;
  /** Your idempotency key (`evt_...`): publishing the same id again creates no new deliveries. */
  id?: string;
}

export interface PublishedEvent {
  id: string;
  event: SubscribableEventType;
  integrationId: string;
  /** ISO 8601 with milliseconds, UTC; fixed at the first publication. */
  timestamp: string;
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Thrown by publish() when the request or its `data` does not match the event catalog. */
export class EventValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`Invalid event: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'EventValidationError';
  }
}

/** The rules of a publish request's fields, shared with the OpenAPI document. */
export const publishFields = {
  integrationId: z.string().regex(/^int_[0-9A-Za-z]+$/, 'must be an integration id (int_...)'),
  id: z
    .string()
    .regex(/^evt_[0-9A-Za-z_-]{1,100}$/, 'must be "evt_" followed by 1 to 100 letters, digits, "_" or "-"')
    .optional()
    .meta({ description: 'Idempotency key: publishing the same id again creates no new deliveries' }),
};

const publishRequestSchema = z
  .strictObject({
    integrationId: publishFields.integrationId,
    event: z.string().refine(isSubscribableEventType, { message: `must be one of: ${subscribableEventTypes.join(', ')}` }),
    data: z.unknown(),
    id: publishFields.id,
  })
  .superRefine((request, ctx) => {
    if (!isSubscribableEventType(request.event)) return;
    const data = eventCatalog[request.event].data.safeParse(request.data);
    if (!data.success) {
      for (const issue of data.error.issues) ctx.addIssue({ code: 'custom', path: ['data', ...issue.path], message: issue.message });
    }
  });

/** Checks a publish request against the catalog; throws EventValidationError listing every problem. */
export function validatePublishRequest(input: unknown): PublishRequest {
  const parsed = publishRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new EventValidationError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return parsed.data as PublishRequest;
}

export interface PublisherOptions {
  client: Client;
  /** The service's TEMPORAL_TASK_QUEUE (default `webhooks`). */
  taskQueue?: string;
}

/**
 * What producer services use to publish events: needs only a Temporal client. Once publish()
 * resolves, the event is durable in Temporal and every subscribed webhook will get it.
 */
export function createPublisher({ client, taskQueue = 'webhooks' }: PublisherOptions) {
  return {
    async publish<T extends SubscribableEventType>(request: PublishRequest<T>): Promise<PublishedEvent> {
      const valid = validatePublishRequest(request);
      const event: PublishEventInput = {
        id: valid.id ?? `evt_${randomBase62(24)}`,
        integrationId: valid.integrationId,
        event: valid.event,
        data: valid.data,
        timestamp: new Date().toISOString(),
      };
      const published = { id: event.id, event: valid.event, integrationId: event.integrationId, timestamp: event.timestamp };
      const workflowId = workflowIds.publish(event.integrationId, event.id);
      try {
        await client.workflow.start('publishEvent', {
          workflowId,
          taskQueue,
          args: [event],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          // No search attributes here: the worker registers them, and a producer may publish
          // before any worker has run. The delivery workflows carry them.
          memo: { published },
          staticSummary: publishSummary(event),
        });
        return published;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // Published before: answer with the first publication, start nothing new.
        const { memo } = await client.workflow.getHandle(workflowId).describe();
        return (memo?.published as PublishedEvent | undefined) ?? published;
      }
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
