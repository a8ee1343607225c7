import type { Knex } from 'knex';
import { idPrefixes } from '../domain/ids';
import { workflowIds } from '../domain/workflow-ids';
import type { StoredEvent } from './events';
import { deliveryAwaitingStartFromRow, type DeliveryAwaitingStart, type DeliveryRow } from './deliveries';
import { takeBindings, takeFromRow, takeStatement, type Bucket, type Take } from './rate-limits';

/** A publication that recorded nothing; with the rate-limit token it took, when it took one. */
export class PublicationRefusedError extends Error {
  take?: Take;
}

/** An event id its integration already used for another event type: publishing it again is refused. */
export class EventIdConflictError extends PublicationRefusedError {
  constructor(event: StoredEvent, type: string) {
    super(`event ${event.id} of integration ${event.integrationId} was first published as ${event.type}; not publishing it again as ${type}`);
    this.name = 'EventIdConflictError';
  }
}

/** A publication for an integration that does not exist: nothing is recorded. */
export class UnknownIntegrationError extends PublicationRefusedError {
  constructor(integrationId: string) {
    super(`integration ${integrationId} does not exist`);
    this.name = 'UnknownIntegrationError';
  }
}

/** A publication whose bucket had no token left: nothing is recorded. */
export class RateLimitedError extends PublicationRefusedError {
  constructor(readonly take: Take) {
    super('no rate-limit token left');
    this.name = 'RateLimitedError';
  }
}

export interface Publication {
  /** The event as first stored (a second publication keeps the first's timestamp and body). */
  event: StoredEvent;
  /** Its deliveries not started yet (status pending), new or recorded by an earlier publication. */
  deliveries: DeliveryAwaitingStart[];
  /** The rate-limit token the publication took, when it was asked to take one. */
  take?: Take;
}

/**
 * A publication in one statement (atomic without a transaction, and one round trip):
 *  - when asked, a token from the caller's rate-limit bucket (rate-limits.ts): without one, nothing
 *    else happens;
 *  - the event, unless the integration is unknown (then nothing at all). On an existing id, a
 *    no-op update rather than DO NOTHING: it returns the stored row even when a concurrent
 *    publication of that id committed it after this statement's snapshot was taken;
 *  - when the stored event has the type published (otherwise the caller refuses it), one delivery
 *    per active webhook subscribed to it, unless its workflow id exists already. Existing ones
 *    come back, by the same no-op update, only while pending (not started yet), as new ones are;
 *  - one row per such delivery with its webhook's URL, each carrying the take and the stored
 *    event's type, body and timestamp, or a single row without a delivery when there is none
 *    (without an event either for an unknown integration or a refused take).
 * A new delivery's id is made here as newId('delivery') makes them: its prefix and 24 random base62
 * characters (the subquery refers to the webhook so that it is drawn again for each row).
 */
const recordStatement = (take: string) => `
  WITH take AS (${take}),
  integration AS (
    SELECT id FROM integrations WHERE id = :integrationId AND (SELECT allowed FROM take)
  ),
  stored AS (
    INSERT INTO events (id, integration_id, type, body, timestamp)
    SELECT :eventId, id, :type, :body, :timestamp FROM integration
    ON CONFLICT (integration_id, id) DO UPDATE SET type = events.type
    RETURNING type, body, timestamp
  ),
  subscribed AS (
    SELECT w.id, w.url FROM webhooks w, stored
    WHERE w.integration_id = :integrationId AND w.deleted_at IS NULL AND w.active
      AND stored.type = :type AND :type = ANY(w.events)
  ),
  planned AS (
    INSERT INTO deliveries (id, workflow_id, event_id, webhook_id, integration_id, event_type, start_pending, start_claimable_at, start_task_queue)
    SELECT (SELECT :deliveryIdPrefix || string_agg(substr(:base62, 1 + floor(random() * 62)::int, 1), '')
              FROM generate_series(1, 24) WHERE s.id IS NOT NULL),
           :workflowIdPrefix || s.id, :eventId, s.id, :integrationId, :type, CAST(:startPending AS boolean),
           CASE WHEN CAST(:byWorkers AS boolean) THEN now() END, :taskQueue
    FROM subscribed s
    ON CONFLICT (workflow_id) DO UPDATE SET workflow_id = deliveries.workflow_id WHERE deliveries.status = 'pending'
    RETURNING deliveries.*
  )
  SELECT take.tokens AS take_tokens, take.allowed AS take_allowed,
         stored.type AS stored_type, stored.body AS stored_body, stored.timestamp AS stored_timestamp,
         planned.*, subscribed.url AS target_url
  FROM take
  LEFT JOIN stored ON true
  LEFT JOIN planned ON true
  LEFT JOIN subscribed ON subscribed.id = planned.webhook_id
  ORDER BY planned.webhook_id`;

const withTake = recordStatement(takeStatement);
const withoutTake = recordStatement('SELECT CAST(NULL AS double precision) AS tokens, true AS allowed');

type RecordRow = { take_tokens: number | string | null; take_allowed: boolean } & (
  | { stored_type: null }
  | { stored_type: string; stored_body: string; stored_timestamp: string }
) & (
  | (DeliveryRow & { target_url: string })
  | { id: null }
);

/**
 * Who starts a publication's delivery workflows:
 *  - `caller`: the caller, before it is done (fan-out workflows recorded before
 *    leaveDeliveriesToWorkers: their activity, retried until it has);
 *  - `workers`: any worker of the publication's task queue, at once (whoever records them
 *    announces them: announceAwaitingStart).
 * (Deliveries an earlier version's API recorded to start itself await their start with no claim
 * time: a worker takes them once their publisher's grace is up; claimAwaitingStart.)
 */
export type DeliveryStarter = 'caller' | 'workers';

/**
 * Records one publication, atomically: the event (once per integration and id) and one pending
 * delivery per active webhook subscribed to it. Idempotent; an id used again for another event
 * type is refused with EventIdConflictError, an unknown integration with UnknownIntegrationError.
 * Given a bucket (`takeFrom`), the same statement first takes a token from it (one round trip
 * where a take and a publication were two); with none left it records nothing and throws
 * RateLimitedError. `taskQueue` names the workers that start the deliveries (TEMPORAL_TASK_QUEUE).
 */
export function createPublicationRepository(db: Knex) {
  return {
    async record(
      event: StoredEvent,
      { startBy, taskQueue, takeFrom }: { startBy: DeliveryStarter; taskQueue: string; takeFrom?: Bucket },
    ): Promise<Publication> {
      const { rows } = await db.raw<{ rows: RecordRow[] }>(takeFrom ? withTake : withoutTake, {
        ...(takeFrom && takeBindings(takeFrom)),
        integrationId: event.integrationId,
        eventId: event.id,
        type: event.type,
        body: event.body,
        timestamp: event.timestamp,
        startPending: startBy !== 'caller',
        byWorkers: startBy === 'workers',
        taskQueue,
        deliveryIdPrefix: idPrefixes.delivery,
        base62: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
        // workflowIds.delivery ends with the webhook id.
        workflowIdPrefix: workflowIds.delivery(event.integrationId, event.id, ''),
      });
      const [first] = rows;
      const take = takeFrom && takeFromRow({ tokens: first.take_tokens ?? 0, allowed: first.take_allowed });
      if (take && !take.allowed) throw new RateLimitedError(take);
      const refused = (err: PublicationRefusedError) => Object.assign(err, take && { take });
      if (first.stored_type === null) throw refused(new UnknownIntegrationError(event.integrationId));
      const stored: StoredEvent = { id: event.id, integrationId: event.integrationId, type: first.stored_type, body: first.stored_body, timestamp: first.stored_timestamp };
      if (stored.type !== event.type) throw refused(new EventIdConflictError(stored, event.type));
      const deliveries = rows.flatMap((row) => (row.id === null ? [] : [deliveryAwaitingStartFromRow(row)]));
      return { event: stored, deliveries, ...(take && { take }) };
    },
  };
}

export type PublicationRepository = ReturnType<typeof createPublicationRepository>;
