import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** Search attributes operators filter on in the Temporal Web UI; the worker registers them. */
export const searchAttributes = {
  webhookId: defineSearchAttributeKey('WebhookId', SearchAttributeType.KEYWORD),
  integrationId: defineSearchAttributeKey('IntegrationId', SearchAttributeType.KEYWORD),
  eventType: defineSearchAttributeKey('EventType', SearchAttributeType.KEYWORD),
  deliveryStatus: defineSearchAttributeKey('DeliveryStatus', SearchAttributeType.KEYWORD),
  /** Attempts made so far. */
  deliveryAttempts: defineSearchAttributeKey('DeliveryAttempts', SearchAttributeType.INT),
  /** On a webhook's health workflow: `active` or `disabled`, kept current. */
  webhookState: defineSearchAttributeKey('WebhookState', SearchAttributeType.KEYWORD),
} as const;

/** The search attributes a webhook's health workflow starts with: its webhook, so `WebhookId="wh_..."` finds it too. */
export const healthSearchAttributes = (webhookId: string) => [{ key: searchAttributes.webhookId, value: webhookId }];

export interface PublishEventInput {
  id: string;
  integrationId: string;
  event: string;
  data: unknown;
  /** ISO 8601 with milliseconds, fixed at publication. */
  timestamp: string;
}

/** What a publisher answers: the event as first published (a second publication keeps its timestamp). */
export interface PublishedEvent {
  id: string;
  event: string;
  integrationId: string;
  /** ISO 8601 with milliseconds, UTC; fixed at the first publication. */
  timestamp: string;
}

/** An event the publication workflow recorded, and how many deliveries it has. */
export interface RecordedPublication {
  published: PublishedEvent;
  deliveries: number;
}

/** Failure types of a publication refused for good: nothing was recorded, and trying again changes nothing. */
export const publicationRefusals = { eventIdConflict: 'EventIdConflict', unknownIntegration: 'UnknownIntegration' } as const;

export interface DeliverySettings {
  retryDelaysMs: number[];
  attemptTimeoutMs: number;
}

export interface DeliverEventInput {
  deliveryId: string;
  eventId: string;
  webhookId: string;
  integrationId: string;
  eventType: string;
  /** The worker's retry settings; when absent the workflow asks a worker for them. */
  settings?: DeliverySettings;
}

/** The search attributes a delivery workflow starts with. */
export function deliverySearchAttributes(input: DeliverEventInput) {
  return [
    { key: searchAttributes.webhookId, value: input.webhookId },
    { key: searchAttributes.integrationId, value: input.integrationId },
    { key: searchAttributes.eventType, value: input.eventType },
    { key: searchAttributes.deliveryStatus, value: 'pending' },
  ];
}

/**
 * How a delivery workflow is started from outside a workflow: a second start of the same id is
 * refused. `metadata` is its summary and details in the Web UI (see workflow-metadata.ts).
 */
export function deliveryStartOptions(
  workflowId: string,
  input: DeliverEventInput,
  taskQueue: string,
  metadata: { staticSummary: string; staticDetails: string },
) {
  return {
    workflowId,
    taskQueue,
    args: [input] as [DeliverEventInput],
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [...deliverySearchAttributes(input), { key: searchAttributes.deliveryAttempts, value: 0 }],
    ...metadata,
  };
}

export interface WebhookHealthInput {
  webhookId: string;
  consecutiveFailures?: number;
  /** Whether the webhook was disabled when the previous run continued as new. */
  disabled?: boolean;
  /** Delivery ids already counted, so a repeated report is not counted twice (bounded). */
  countedDeliveryIds?: string[];
  /** Outcomes the previous run received but did not handle; this run handles them first. */
  pendingOutcomes?: DeliveryOutcome[];
  /** The previous run's count was not saved yet (the database was unreachable); this run saves it first. */
  unsaved?: boolean;
  /** Failure reports handled so far (see DeliveryOutcome.failureReported), across runs. */
  failureReportsHandled?: number;
  /** Outcomes one run handles before it continues as new (keeps history bounded). */
  outcomesPerRun?: number;
}

export interface DeliveryOutcome {
  deliveryId: string;
  delivered: boolean;
  /** A failed delivery counted among its webhook's failure reports in the database. */
  failureReported?: boolean;
}

export interface WebhookHealth {
  consecutiveFailures: number;
  disabled: boolean;
}

/**
 * The type of the non-retryable failure an attempt raises when the delivery can never be made
 * (its row or event is gone, or the webhook's secret no longer decrypts): the delivery ends failed.
 */
export const undeliverableFailureType = 'Undeliverable';

/** A delivery finished: delivered (any 2xx) or failed (every attempt failed). */
export const deliveryOutcomeSignal = defineSignal<[DeliveryOutcome]>('deliveryOutcome');
/** The webhook was deleted: the health workflow ends. */
export const webhookDeletedSignal = defineSignal('webhookDeleted');
/** Re-enables the webhook and resets its count; returns once the database says so. */
export const reenableUpdate = defineUpdate<WebhookHealth>('reenable');
export const healthQuery = defineQuery<WebhookHealth>('health');

/** Publishes one event through the publication workflow: answers once it is recorded. */
export const publishUpdate = defineUpdate<RecordedPublication, [PublishEventInput]>('publish');
