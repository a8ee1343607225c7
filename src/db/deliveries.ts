import type { Knex } from 'knex';
import { isFinalStatus, type Attempt, type DeliveryStatus, type DeliveryToStart, type RecordedDelivery } from '../domain/deliveries';
import type { SecretBox } from './secret-box';
import { signingSecrets } from './webhooks';

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

/** Deliveries joined with their webhooks' URLs. */
const withTargetUrl = (db: Knex) =>
  db<DeliveryRow & { target_url: string }>('deliveries')
    .join('webhooks', 'webhooks.id', 'deliveries.webhook_id')
    .select('deliveries.*', 'webhooks.url as target_url');

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

/** Counts a failed delivery among its webhook's failure reports, once however often it is recorded. */
async function countFailure(trx: Knex.Transaction, deliveryId: string): Promise<void> {
  const [counted] = await trx('deliveries').where({ id: deliveryId, failure_counted: false }).update({ failure_counted: true }).returning('webhook_id');
  if (counted) await trx('webhooks').where({ id: counted.webhook_id }).increment('failure_reports', 1);
}

export function createDeliveryRepository(db: Knex, box: SecretBox) {
  const statusChange = (status: DeliveryStatus) => ({
    status,
    updated_at: db.fn.now(),
    ...(isFinalStatus(status) ? { finished_at: db.fn.now() } : {}),
  });

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

    /** Deliveries whose workflows were to be started by their publication and are not known to be, oldest first. */
    async awaitingStart(olderThanMs: number, limit: number): Promise<DeliveryAwaitingStart[]> {
      const rows = await withTargetUrl(db)
        .where('deliveries.start_pending', true)
        .andWhere('deliveries.created_at', '<', db.raw(`now() - make_interval(secs => ?)`, [olderThanMs / 1000]))
        .orderBy('deliveries.created_at')
        .limit(limit);
      return rows.map(deliveryAwaitingStartFromRow);
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
     * Saves an attempt (again, if a retried activity repeats it) and the delivery's new status; does
     * nothing for a delivery whose row is gone.
     */
    async recordAttempt(deliveryId: string, attempt: Attempt, status: DeliveryStatus): Promise<void> {
      await db.transaction(async (trx) => {
        const updated = await trx('deliveries')
          .where({ id: deliveryId })
          .update({ ...statusChange(status), attempt_count: trx.raw('GREATEST(attempt_count, ?)', [attempt.attemptNumber]) });
        if (updated === 0) return;
        if (status === 'failed') await countFailure(trx, deliveryId);
        await trx<AttemptRow>('delivery_attempts')
          .insert({
            delivery_id: deliveryId,
            attempt_number: attempt.attemptNumber,
            started_at: new Date(attempt.startedAt),
            duration_ms: attempt.durationMs,
            status_code: attempt.statusCode,
            error_class: attempt.errorClass,
            error_message: attempt.errorMessage,
            response_excerpt: attempt.responseExcerpt,
            next_attempt_in_ms: attempt.nextAttemptInMs ?? null,
          })
          .onConflict(['delivery_id', 'attempt_number'])
          .merge();
      });
    },

    /** Whether this failed delivery is counted among its webhook's failure reports. */
    async failureCounted(deliveryId: string): Promise<boolean> {
      const row = await db<DeliveryRow>('deliveries').where({ id: deliveryId }).first('failure_counted');
      return row?.failure_counted ?? false;
    },

    async setStatus(deliveryId: string, status: DeliveryStatus): Promise<void> {
      await db('deliveries').where({ id: deliveryId }).update(statusChange(status));
    },

    async listAttempts(deliveryId: string): Promise<Attempt[]> {
      const rows = await db<AttemptRow>('delivery_attempts').where({ delivery_id: deliveryId }).orderBy('attempt_number');
      return rows.map(toAttempt);
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
