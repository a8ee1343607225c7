import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { eventCatalog, isSubscribableEventType, subscribableEventTypes, type EventData, type SubscribableEventType } from '../domain/event-catalog';
import { publicationRefusals, publishUpdate, type PublishEventInput, type PublishedEvent as RecordedEvent } from '../domain/workflow-definitions';
import { workflowIds } from '../domain/workflow-ids';
import { randomBase62 } from '../domain/ids';
import { publicationsSummary, publishSummary } from '../domain/workflow-metadata';

export interface PublishRequest<T extends SubscribableEventType = SubscribableEventType> {
  integrationId: string;
  event: T;
  data: EventData<T>;
  /** Your idempotency key (`evt_...`): publishing the same id again creates no new deliveries. */
  id?: string;
}

/** The event as first published (its timestamp fixed then), with the catalog's type. */
export interface PublishedEvent extends RecordedEvent {
  event: SubscribableEventType;
}

/**
 * Thrown by publish() when the service refuses the event for good and records nothing: its id was
 * used for another event type (`conflict`), or the integration does not exist (`not_found`). Known
 * only when the publication workflow answers; a publication in a workflow of its own (below) is
 * refused there, after publish() resolved.
 */
export class PublicationRefusedError extends Error {
  constructor(
    message: string,
    readonly code: 'conflict' | 'not_found',
  ) {
    super(message);
    this.name = 'PublicationRefusedError';
  }
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
  /**
   * How long a publication waits for the publication workflow's answer (default 5000 ms) before it
   * publishes the event in a workflow of its own: no answer comes while no worker runs.
   */
  answerWithinMs?: number;
}

/** PublicationRefusedError's code for each failure type of a refused publication. */
const refusalCodes: Record<string, PublicationRefusedError['code']> = {
  [publicationRefusals.eventIdConflict]: 'conflict',
  [publicationRefusals.unknownIntegration]: 'not_found',
};

/** The update's failure when the workflow refused the event for good; undefined for any other failure. */
function refusalOf(err: unknown): PublicationRefusedError | undefined {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    const code = cause instanceof ApplicationFailure && cause.type ? refusalCodes[cause.type] : undefined;
    if (code) return new PublicationRefusedError(cause.message, code);
  }
  return undefined;
}

/**
 * What producer services use to publish events: needs only a Temporal client. Once publish()
 * resolves, the event is durable and every subscribed webhook will get it.
 *
 * A publication is an update of the publication workflow (publishEvents), answered once a worker
 * has recorded the event and its deliveries: concurrent publications share its workflow tasks.
 * When that answer does not come in time (no worker running, a worker too busy), the event is
 * published in a workflow of its own (publishEvent), durable in Temporal as soon as it starts.
 * Either way the same id twice is one event: the database records it once.
 */
export function createPublisher({ client, taskQueue = 'webhooks', answerWithinMs = 5000 }: PublisherOptions) {
  /**
   * The event as first published, by the publication workflow; undefined when it did not answer
   * in time. A publication the server or the workflow turned away (a run continuing as new, too
   * many updates in flight) is sent again after a short wait, within that time.
   */
  async function throughPublicationWorkflow(event: PublishEventInput): Promise<PublishedEvent | undefined> {
    const deadline = Date.now() + answerWithinMs;
    for (let tries = 0; Date.now() < deadline; tries++) {
      const startWorkflowOperation = new WithStartWorkflowOperation('publishEvents', {
        workflowId: workflowIds.publications(taskQueue),
        taskQueue,
        args: [{}],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: publicationsSummary,
      });
      const answerBy = AbortSignal.timeout(deadline - Date.now());
      try {
        const { published } = await client.withAbortSignal(answerBy, () =>
          client.workflow.executeUpdateWithStart(publishUpdate, { args: [event], startWorkflowOperation }),
        );
        // The catalog's event type: the workflow recorded the type of a validated request.
        return published as PublishedEvent;
      } catch (err) {
        const refusal = refusalOf(err);
        if (refusal) throw refusal;
        if (answerBy.aborted) return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(20 * 2 ** tries, 500, Math.max(0, deadline - Date.now()))));
    }
    return undefined;
  }

  /** Starts the event's own fan-out workflow; a second start of the same id answers with the first. */
  async function inOwnWorkflow(event: PublishEventInput, published: PublishedEvent): Promise<PublishedEvent> {
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
  }

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
      return (await throughPublicationWorkflow(event)) ?? (await inOwnWorkflow(event, published));
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
