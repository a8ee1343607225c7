import type { Knex } from 'knex';
import type { SecretBox } from './secret-box';

/** Why a webhook is off: its health disabled it, its receiver answered 410 Gone, or a user turned it off. */
export const disabledReasons = ['consecutive_failures', 'gone', 'manual'] as const;
export type DisabledReason = (typeof disabledReasons)[number];

export interface Webhook {
  id: string;
  integrationId: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  /** Still signs deliveries until previousSecretExpiresAt (a rotation's grace period). */
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  active: boolean;
  consecutiveFailures: number;
  disabledReason: DisabledReason | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The secrets that sign a delivery made now: the current one first, then one in its grace period. */
export function signingSecrets(webhook: Pick<Webhook, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now = new Date()): string[] {
  const previousValid = webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now;
  return previousValid ? [webhook.secret, webhook.previousSecret!] : [webhook.secret];
}

export interface WebhookRow {
  id: string;
  integration_id: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  active: boolean;
  consecutive_failures: number;
  failure_reports: number;
  failure_reports_handled: number;
  disabled_reason: DisabledReason | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface NewWebhook {
  id: string;
  integrationId: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
}

export interface WebhookChanges {
  url?: string;
  events?: string[];
  description?: string | null;
  /** Only `false` (disable by hand); enabling goes through `enable`. */
  active?: false;
}

/** Rows to webhooks, decrypting the secrets. */
export const webhookFromRow = (box: SecretBox) => (row: WebhookRow): Webhook => ({
  id: row.id,
  integrationId: row.integration_id,
  url: row.url,
  events: row.events,
  description: row.description,
  secret: box.decrypt(row.secret),
  previousSecret: row.previous_secret ? box.decrypt(row.previous_secret) : null,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  active: row.active,
  consecutiveFailures: row.consecutive_failures,
  disabledReason: row.disabled_reason,
  disabledAt: row.disabled_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Whether a successful delivery can leave the health workflow out, as SQL on the webhook row `w`:
 * the saved count is 0 and every failed delivery reported so far is handled (none is on its way).
 */
export const healthyWithNothingPendingSql = 'w.consecutive_failures = 0 AND w.failure_reports <= w.failure_reports_handled';

export function createWebhookRepository(db: Knex, box: SecretBox) {
  const toWebhook = webhookFromRow(box);
  const live = (integrationId: string) =>
    db<WebhookRow>('webhooks').where({ integration_id: integrationId }).whereNull('deleted_at');

  return {
    async insert(webhook: NewWebhook): Promise<Webhook> {
      const [row] = await db<WebhookRow>('webhooks')
        .insert({
          id: webhook.id,
          integration_id: webhook.integrationId,
          url: webhook.url,
          events: webhook.events,
          description: webhook.description,
          secret: box.encrypt(webhook.secret),
        })
        .returning('*');
      return toWebhook(row);
    },

    async list(integrationId: string): Promise<Webhook[]> {
      const rows = await live(integrationId).orderBy([{ column: 'created_at' }, { column: 'id' }]);
      return rows.map(toWebhook);
    },

    async find(integrationId: string, id: string): Promise<Webhook | undefined> {
      const row = await live(integrationId).andWhere({ id }).first();
      return row && toWebhook(row);
    },

    /**
     * Applies changes to a live webhook. Turning it off by hand records reason "manual"; turning
     * it back on is the health workflow's job (enable), so that its count and this row agree.
     */
    async update(integrationId: string, id: string, changes: WebhookChanges): Promise<Webhook | undefined> {
      const patch: Record<string, unknown> = { updated_at: db.fn.now() };
      if (changes.url !== undefined) patch.url = changes.url;
      if (changes.events !== undefined) patch.events = changes.events;
      if (changes.description !== undefined) patch.description = changes.description;
      if (changes.active === false) {
        patch.active = false;
        patch.disabled_reason = db.raw("CASE WHEN active THEN 'manual' ELSE disabled_reason END");
        patch.disabled_at = db.raw('CASE WHEN active THEN now() ELSE disabled_at END');
      }
      const [row] = await live(integrationId).andWhere({ id }).update(patch).returning('*');
      return row && toWebhook(row);
    },

    /**
     * The health workflow's view: saves the failure count and, when asked, disables the webhook
     * (if still active). Says whether it still exists, is disabled (and why), and was disabled by this call.
     */
    async saveHealth(
      id: string,
      consecutiveFailures: number,
      disable: boolean,
      failureReportsHandled?: number,
    ): Promise<{ exists: boolean; disabled: boolean; disabledNow: boolean; disabledReason: DisabledReason | null }> {
      return db.transaction(async (trx) => {
        const current = await trx<WebhookRow>('webhooks').where({ id }).whereNull('deleted_at').forUpdate().first('active', 'disabled_reason');
        if (!current) return { exists: false, disabled: true, disabledNow: false, disabledReason: null };
        const disabledNow = disable && current.active;
        await trx('webhooks')
          .where({ id })
          .update({
            consecutive_failures: consecutiveFailures,
            ...(failureReportsHandled === undefined
              ? {}
              : { failure_reports_handled: trx.raw('GREATEST(failure_reports_handled, ?)', [failureReportsHandled]) }),
            ...(disabledNow
              ? { active: false, disabled_reason: 'consecutive_failures', disabled_at: trx.fn.now(), updated_at: trx.fn.now() }
              : {}),
          });
        const disabledReason = disabledNow ? 'consecutive_failures' : current.active ? null : current.disabled_reason;
        return { exists: true, disabled: disabledNow || !current.active, disabledNow, disabledReason };
      });
    },

    /** Whether a successful delivery can leave the health workflow out (healthyWithNothingPendingSql). */
    async healthyWithNothingPending(id: string): Promise<boolean> {
      const { rows } = await db.raw<{ rows: { healthy: boolean }[] }>(`SELECT ${healthyWithNothingPendingSql} AS healthy FROM webhooks w WHERE w.id = ?`, [id]);
      return rows[0]?.healthy ?? false;
    },

    /** Turns a webhook off because its receiver answered 410 Gone; true when this call turned it off. */
    async disableGone(id: string): Promise<boolean> {
      const count = await db<WebhookRow>('webhooks')
        .where({ id, active: true })
        .whereNull('deleted_at')
        .update({ active: false, disabled_reason: 'gone', disabled_at: db.fn.now(), updated_at: db.fn.now() });
      return count > 0;
    },

    /** Turns a webhook back on with a clean slate; false when it no longer exists. */
    async enable(id: string): Promise<boolean> {
      const count = await db<WebhookRow>('webhooks').where({ id }).whereNull('deleted_at').update({
        active: true,
        consecutive_failures: 0,
        disabled_reason: null,
        disabled_at: null,
        updated_at: db.fn.now(),
      });
      return count > 0;
    },

    /**
     * Makes `secret` the signing secret; the current one keeps signing for `graceSeconds` more
     * (replacing any older one still in its grace period).
     */
    async rotateSecret(integrationId: string, id: string, secret: string, graceSeconds: number): Promise<Webhook | undefined> {
      const [row] = await live(integrationId)
        .andWhere({ id })
        .update({
          previous_secret: graceSeconds > 0 ? db.ref('secret') : null,
          previous_secret_expires_at: graceSeconds > 0 ? db.raw("now() + make_interval(secs => ?)", [graceSeconds]) : null,
          secret: box.encrypt(secret),
          updated_at: db.fn.now(),
        } as Record<string, unknown>)
        .returning('*');
      return row && toWebhook(row);
    },

    /** Encrypts secrets stored in plain text by versions before encryption at rest; returns how many. */
    async encryptPlaintextSecrets(): Promise<number> {
      const rows = await db<WebhookRow>('webhooks').where('secret', 'like', 'whsec\\_%').select('id', 'secret');
      for (const row of rows) await db('webhooks').where({ id: row.id }).update({ secret: box.encrypt(row.secret) });
      return rows.length;
    },

    /** Marks a live webhook deleted; false when there is none. */
    async remove(integrationId: string, id: string): Promise<boolean> {
      const count = await live(integrationId).andWhere({ id }).update({ deleted_at: db.fn.now(), active: false });
      return count > 0;
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
