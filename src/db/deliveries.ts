import type { Knex } from 'knex';
import { isFinalStatus, type Attempt, type DeliveryStatus, type DeliveryToStart, type RecordedDelivery } from '../domain/deliveries';
import type { SecretBox } from './secret-box';
import { healthyWithNothingPendingSql, signingSecrets } from './webhooks';
import { awaitingStartChannel } from './awaiting-starts';

export interface Delivery extends RecordedDelivery {
  status: DeliveryStatus;
  attemptCount: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  redeliveryOf: string | null;
}

/** A delivery with its webhook's URL, read in the same query: ready to be started. */
export type DeliveryAwaitingStart = Delivery & DeliveryToStart;

/** Thrown when a delivery's own row, its event or its webhook is missing: it can never be made. */
export class MissingDeliveryDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDeliveryDataError';
  }
}

/** What one attempt needs: the event's exact body and the webhook as it is now. */
export interface AttemptTarget {
  delivery: Delivery;
  body: string;
  eventTimestamp: string;
  url: string;
  /** The secrets to sign with now: the current one, and a previous one in its grace period. */
  secrets: string[];
  webhookActive: boolean;
  webhookDeleted: boolean;
}

export interface DeliveryRow {
  id: string;
  workflow_id: string;
  event_id: string;
  webhook_id: string;
  integration_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  redelivery_of: string | null;
  start_pending: boolean;
  start_claimable_at: Date | null;
  /** Whose workers start it, when left to the workers (null on rows from before: any worker's). */
  start_task_queue: string | null;
  failure_counted: boolean;
}

interface AttemptRow {
  delivery_id: string;
  attempt_number: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_excerpt: string | null;
  next_attempt_in_ms: number | null;
}

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  workflowId: row.workflow_id,
  eventId: row.event_id,
  webhookId: row.webhook_id,
  integrationId: row.integration_id,
  eventType: row.event_type,
  status: row.status,
  attemptCount: row.attempt_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  finishedAt: row.finished_at,
  redeliveryOf: row.redelivery_of,
});

/** A delivery row read with its webhook's URL (as target_url). */
export const deliveryAwaitingStartFromRow = (row: DeliveryRow & { target_url: string }): DeliveryAwaitingStart => ({ ...toDelivery(row), targetUrl: row.target_url });

const toAttempt = (row: AttemptRow): Attempt => ({
  attemptNumber: row.attempt_number,
  startedAt: row.started_at.toISOString(),
  durationMs: row.duration_ms,
  statusCode: row.status_code,
  errorClass: row.error_class,
  errorMessage: row.error_message,
  responseExcerpt: row.response_excerpt,
  nextAttemptInMs: row.next_attempt_in_ms,
});

const toNewRow = (d: NewDelivery) => ({
  id: d.id,
  workflow_id: d.workflowId,
  event_id: d.eventId,
  webhook_id: d.webhookId,
  integration_id: d.integrationId,
  event_type: d.eventType,
  redelivery_of: d.redeliveryOf ?? null,
});

export type NewDelivery = Pick<Delivery, 'id' | 'workflowId' | 'eventId' | 'webhookId' | 'integrationId' | 'eventType'> & {
  redeliveryOf?: string;
};

export interface DeliveryFilter {
  webhookId: string;
  status?: DeliveryStatus;
  eventType?: string;
  /** Only deliveries older than this one (the previous page's last). */
  before?: string;
  limit: number;
}

/**
 * What an attempt reads, in one query: the delivery, its event's body and its webhook as it is now.
 * Left joins, so that a missing event or webhook comes back as nulls and can be told apart.
 */
const attemptTargetQuery = `
  SELECT d.*,
         e.body AS event_body, e.timestamp AS event_timestamp,
         w.url AS webhook_url, w.secret AS webhook_secret, w.previous_secret AS webhook_previous_secret,
         w.previous_secret_expires_at AS webhook_previous_secret_expires_at, w.active AS webhook_active, w.deleted_at AS webhook_deleted_at
  FROM deliveries d
  LEFT JOIN events e ON e.integration_id = d.integration_id AND e.id = d.event_id
  LEFT JOIN webhooks w ON w.id = d.webhook_id
  WHERE d.id = :deliveryId`;

/** attemptTargetQuery's row: the event's and the webhook's columns are null when that row is missing (body and url never are otherwise). */
interface TargetRow extends DeliveryRow {
  event_body: string | null;
  event_timestamp: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  webhook_previous_secret: string | null;
  webhook_previous_secret_expires_at: Date | null;
  webhook_active: boolean | null;
  webhook_deleted_at: Date | null;
}

/**
 * An attempt's record in one statement (atomic without a transaction): the delivery's new status,
 * its attempt count (never lowered by a late record of an earlier attempt) and, when failed, its
 * failure counted among its webhook's failure reports once however often it is recorded; then the
 * attempt, replacing an earlier record of it. Its workflow runs, so its start is no longer pending
 * (the publication leaves that mark to this). Nothing at all when the delivery's row is gone.
 * `old` reads failure_counted as it was (one statement may not update a row twice), locked so that
 * a concurrent record of the same delivery waits and then reads this one's flag, not a stale one.
 * Returns what the final report needs: the flag, and whether the webhook is healthy with nothing
 * pending (read as the statement starts: before a failure counted here).
 */
const recordAttemptStatement = `
  WITH old AS (
    SELECT id, failure_counted FROM deliveries WHERE id = :deliveryId FOR UPDATE
  ),
  updated AS (
    UPDATE deliveries d
    SET status = :status, updated_at = now(),
        finished_at = CASE WHEN CAST(:final AS boolean) THEN now() ELSE d.finished_at END,
        attempt_count = GREATEST(d.attempt_count, CAST(:attemptNumber AS integer)),
        failure_counted = d.failure_counted OR CAST(:failed AS boolean),
        start_pending = false
    FROM old WHERE d.id = old.id
    RETURNING d.id, d.webhook_id, d.failure_counted, old.failure_counted AS counted_before
  ),
  counted AS (
    UPDATE webhooks w SET failure_reports = w.failure_reports + 1
    FROM updated u WHERE w.id = u.webhook_id AND u.failure_counted AND NOT u.counted_before
  ),
  saved AS (
    INSERT INTO delivery_attempts
      (delivery_id, attempt_number, started_at, duration_ms, status_code, error_class, error_message, response_excerpt, next_attempt_in_ms)
    SELECT id, CAST(:attemptNumber AS integer), CAST(:startedAt AS timestamptz), CAST(:durationMs AS integer), CAST(:statusCode AS integer),
           CAST(:errorClass AS text), CAST(:errorMessage AS text), CAST(:responseExcerpt AS text), CAST(:nextAttemptInMs AS integer)
    FROM updated
    ON CONFLICT (delivery_id, attempt_number) DO UPDATE SET
      started_at = excluded.started_at, duration_ms = excluded.duration_ms, status_code = excluded.status_code, error_class = excluded.error_class,
      error_message = excluded.error_message, response_excerpt = excluded.response_excerpt, next_attempt_in_ms = excluded.next_attempt_in_ms
  )
  SELECT u.failure_counted,
         coalesce(${healthyWithNothingPendingSql}, false) AS webhook_healthy
  FROM updated u LEFT JOIN webhooks w ON w.id = u.webhook_id`;

/** What recording an attempt tells the delivery's final report, without another query. */
export interface RecordedAttempt {
  /** Whether the delivery is counted among its webhook's failure reports (always so once recorded failed). */
  failureCounted: boolean;
  /**
   * Whether its webhook's saved count is 0 with every failure reported so far handled, as the
   * record was made (see webhooks.healthyWithNothingPending); meant for a delivered attempt.
   */
  webhookHealthyWithNothingPending: boolean;
}

export function createDeliveryRepository(db: Knex, box: SecretBox) {
  return {
    async find(id: string): Promise<Delivery | undefined> {
      const row = await db<DeliveryRow>('deliveries').where({ id }).first();
      return row && toDelivery(row);
    },

    /** A webhook's deliveries, newest first, one page at a time. */
    async list(filter: DeliveryFilter): Promise<Delivery[]> {
      const query = db<DeliveryRow>('deliveries').where({ webhook_id: filter.webhookId });
      if (filter.status) query.andWhere({ status: filter.status });
      if (filter.eventType) query.andWhere({ event_type: filter.eventType });
      if (filter.before) {
        query.andWhereRaw('(created_at, id) < (SELECT created_at, id FROM deliveries WHERE id = ?)', [filter.before]);
      }
      const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit);
      return rows.map(toDelivery);
    },

    /** Failed deliveries of a webhook created in [since, until). */
    async listFailed(webhookId: string, since: Date, until: Date): Promise<Delivery[]> {
      const rows = await db<DeliveryRow>('deliveries')
        .where({ webhook_id: webhookId, status: 'failed' })
        .andWhere('created_at', '>=', since)
        .andWhere('created_at', '<', until)
        .orderBy('created_at');
      return rows.map(toDelivery);
    },

    /** Creates one delivery; false when one with its workflow id exists already. */
    async insertOne(delivery: NewDelivery): Promise<boolean> {
      const rows = await db<DeliveryRow>('deliveries')
        .insert(toNewRow(delivery))
        .onConflict('workflow_id')
        .ignore()
        .returning('id');
      return rows.length > 0;
    },

    /**
     * Claims, oldest first, deliveries awaiting their start that this worker may start now: those
     * left to the workers of its task queue (or, recorded before task queues were, to any), and
     * those an earlier version's API recorded to start itself once it has had `graceMs` to (they
     * have no claim time). Each is claimed for `graceMs` (skipping rows another worker is
     * claiming), so that workers sharing the database do not start the same deliveries; one
     * claimed by a worker that then died is claimed again once that time is up.
     */
    async claimAwaitingStart(taskQueue: string, graceMs: number, limit: number): Promise<DeliveryAwaitingStart[]> {
      const { rows } = await db.raw<{ rows: Array<DeliveryRow & { target_url: string }> }>(
        `WITH claimable AS (
           SELECT id FROM deliveries
           WHERE start_pending AND coalesce(start_claimable_at, created_at + make_interval(secs => :grace)) <= now()
             AND (start_task_queue IS NULL OR start_task_queue = :taskQueue)
           ORDER BY created_at
           LIMIT :limit
           FOR UPDATE SKIP LOCKED
         ),
         claimed AS (
           UPDATE deliveries SET start_claimable_at = now() + make_interval(secs => :grace)
           FROM claimable WHERE deliveries.id = claimable.id
           RETURNING deliveries.*
         )
         SELECT claimed.*, webhooks.url AS target_url
         FROM claimed JOIN webhooks ON webhooks.id = claimed.webhook_id
         ORDER BY claimed.created_at`,
        { grace: graceMs / 1000, limit, taskQueue },
      );
      return rows.map(deliveryAwaitingStartFromRow);
    },

    /** Tells the listening workers that deliveries left to them await their start (listenForAwaitingStarts). */
    async announceAwaitingStart(): Promise<void> {
      await db.raw('SELECT pg_notify(?, \'\')', [awaitingStartChannel]);
    },

    /** These deliveries' workflows are started (or were already). */
    async markStarted(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db('deliveries').whereIn('id', ids).andWhere({ start_pending: true }).update({ start_pending: false });
    },

    /** Removes a delivery that never started (its workflow could not be started). */
    async removePending(id: string): Promise<void> {
      await db('deliveries').where({ id, status: 'pending', attempt_count: 0 }).delete();
    },

    async listForEvent(integrationId: string, eventId: string): Promise<Delivery[]> {
      const rows = await db<DeliveryRow>('deliveries').where({ integration_id: integrationId, event_id: eventId }).orderBy('webhook_id');
      return rows.map(toDelivery);
    },

    /** Throws MissingDeliveryDataError, or SecretDecryptionError, when the delivery can never be made. */
    async attemptTarget(deliveryId: string): Promise<AttemptTarget> {
      const { rows } = await db.raw<{ rows: TargetRow[] }>(attemptTargetQuery, { deliveryId });
      const [row] = rows;
      if (!row) throw new MissingDeliveryDataError(`delivery ${deliveryId} does not exist`);
      if (row.event_body === null) throw new MissingDeliveryDataError(`event ${row.event_id} of delivery ${deliveryId} does not exist`);
      if (row.webhook_url === null) throw new MissingDeliveryDataError(`webhook ${row.webhook_id} of delivery ${deliveryId} does not exist`);
      // Both secrets are decrypted, as when the whole webhook is read: one that no longer decrypts fails the delivery.
      const secret = box.decrypt(row.webhook_secret!);
      const previousSecret = row.webhook_previous_secret === null ? null : box.decrypt(row.webhook_previous_secret);
      return {
        delivery: toDelivery(row),
        body: row.event_body,
        eventTimestamp: row.event_timestamp!,
        url: row.webhook_url,
        secrets: signingSecrets({ secret, previousSecret, previousSecretExpiresAt: row.webhook_previous_secret_expires_at }),
        webhookActive: row.webhook_active!,
        webhookDeleted: row.webhook_deleted_at !== null,
      };
    },

    /**
     * Saves an attempt (again, if a retried activity repeats it) and the delivery's new status;
     * does nothing, and returns undefined, for a delivery whose row is gone.
     */
    async recordAttempt(deliveryId: string, attempt: Attempt, status: DeliveryStatus): Promise<RecordedAttempt | undefined> {
      const { rows } = await db.raw<{ rows: { failure_counted: boolean; webhook_healthy: boolean }[] }>(recordAttemptStatement, {
        deliveryId,
        status,
        final: isFinalStatus(status),
        failed: status === 'failed',
        attemptNumber: attempt.attemptNumber,
        startedAt: new Date(attempt.startedAt),
        durationMs: attempt.durationMs,
        statusCode: attempt.statusCode,
        errorClass: attempt.errorClass,
        errorMessage: attempt.errorMessage,
        responseExcerpt: attempt.responseExcerpt,
        nextAttemptInMs: attempt.nextAttemptInMs ?? null,
      });
      const [row] = rows;
      return row && { failureCounted: row.failure_counted, webhookHealthyWithNothingPending: row.webhook_healthy };
    },

    /** Whether this failed delivery is counted among its webhook's failure reports. */
    async failureCounted(deliveryId: string): Promise<boolean> {
      const row = await db<DeliveryRow>('deliveries').where({ id: deliveryId }).first('failure_counted');
      return row?.failure_counted ?? false;
    },

    /** A status its workflow sets without an attempt; like an attempt's record, it shows the workflow started. */
    async setStatus(deliveryId: string, status: DeliveryStatus): Promise<void> {
      await db('deliveries')
        .where({ id: deliveryId })
        .update({ status, updated_at: db.fn.now(), ...(isFinalStatus(status) ? { finished_at: db.fn.now() } : {}), start_pending: false });
    },

    async listAttempts(deliveryId: string): Promise<Attempt[]> {
      const rows = await db<AttemptRow>('delivery_attempts').where({ delivery_id: deliveryId }).orderBy('attempt_number');
      return rows.map(toAttempt);
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
