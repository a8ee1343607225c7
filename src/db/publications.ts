import type { Knex } from 'knex';
import { newId } from '../domain/ids';
import { workflowIds } from '../domain/workflow-ids';
import type { StoredEvent, EventRepository } from './events';
import type { DeliveryAwaitingStart, DeliveryRepository } from './deliveries';
import type { WebhookRepository } from './webhooks';

/** An event id its integration already used for another event type: publishing it again is refused. */
export class EventIdConflictError extends Error {
  constructor(event: StoredEvent, type: string) {
    super(`event ${event.id} of integration ${event.integrationId} was first published as ${event.type}; not publishing it again as ${type}`);
    this.name = 'EventIdConflictError';
  }
}

export interface Publication {
  /** The event as first stored (a second publication keeps the first's timestamp and body). */
  event: StoredEvent;
  /** Its deliveries not started yet (status pending), new or recorded by an earlier publication. */
  deliveries: DeliveryAwaitingStart[];
}

/**
 * Records one publication in one transaction: the event (once per integration and id) and one
 * pending delivery per active webhook subscribed to it. Idempotent; an id used again for another
 * event type is refused with EventIdConflictError.
 */
export function createPublicationRepository(db: Knex, repos: { events: EventRepository; webhooks: WebhookRepository; deliveries: DeliveryRepository }) {
  return {
    async record(event: StoredEvent, options: { startPending: boolean }): Promise<Publication> {
      return db.transaction(async (trx) => {
        const stored = await repos.events.insertOnce(event, trx);
        if (stored.type !== event.type) throw new EventIdConflictError(stored, event.type);
        const webhookIds = await repos.webhooks.subscribedIds(stored.integrationId, stored.type, trx);
        const deliveries = await repos.deliveries.insertPending(
          webhookIds.map((webhookId) => ({
            id: newId('delivery'),
            workflowId: workflowIds.delivery(stored.integrationId, stored.id, webhookId),
            eventId: stored.id,
            webhookId,
            integrationId: stored.integrationId,
            eventType: stored.type,
          })),
          options,
          trx,
        );
        return { event: stored, deliveries };
      });
    },
  };
}

export type PublicationRepository = ReturnType<typeof createPublicationRepository>;
