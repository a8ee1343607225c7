import type { Knex } from 'knex';
import { createRepositories, type Repositories } from '../../src/db';
import { createSecretBox, SecretDecryptionError } from '../../src/db/secret-box';
import { MissingDeliveryDataError, type Delivery } from '../../src/db/deliveries';
import { newId, newWebhookSecret } from '../../src/domain/ids';
import type { Attempt } from '../../src/domain/deliveries';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
let repos: Repositories;
const box = createSecretBox(Buffer.alloc(32, 7));
beforeAll(async () => {
  t = await createTestDb();
  repos = createRepositories(t.db, box);
});
afterAll(() => t.close());

const body = '{"event":"supplier.created"}';
const timestamp = '2026-01-01T00:00:00.000Z';

/** An integration with one webhook and one published event: its one pending delivery. */
async function pendingDelivery(url = 'https://example.com/hook'): Promise<{ delivery: Delivery; webhookId: string; secret: string }> {
  const integrationId = (await repos.integrations.insert({ id: newId('integration'), name: 'Acme' })).id;
  const secret = newWebhookSecret();
  const webhookId = (await repos.webhooks.insert({ id: newId('webhook'), integrationId, url, events: ['supplier.created'], description: null, secret })).id;
  const { deliveries } = await repos.publications.record({ id: newId('event'), integrationId, type: 'supplier.created', body, timestamp }, { startBy: 'workers', taskQueue: 'webhooks' });
  const { targetUrl: _url, ...delivery } = deliveries[0];
  return { delivery, webhookId, secret };
}

/** Runs `change` as if the foreign keys were not there: the rows a delivery points at can then go. */
function withoutForeignKeys(change: (trx: Knex.Transaction) => Promise<unknown>): Promise<unknown> {
  return t.db.transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    await change(trx);
  });
}

/** That reading the delivery's target fails with MissingDeliveryDataError saying `message`. */
async function expectMissing(deliveryId: string, message: string): Promise<void> {
  const reading = repos.deliveries.attemptTarget(deliveryId);
  await expect(reading).rejects.toThrow(MissingDeliveryDataError);
  await expect(reading).rejects.toThrow(message);
}

describe('deliveries.attemptTarget', () => {
  it('reads the delivery, its event and its webhook as they are now', async () => {
    const { delivery, webhookId, secret } = await pendingDelivery('https://a.example/hook');
    expect(await repos.deliveries.attemptTarget(delivery.id)).toEqual({
      delivery,
      body,
      eventTimestamp: timestamp,
      url: 'https://a.example/hook',
      secrets: [secret],
      webhookActive: true,
      webhookDeleted: false,
    });

    await repos.webhooks.update(delivery.integrationId, webhookId, { url: 'https://b.example/hook', active: false });
    expect(await repos.deliveries.attemptTarget(delivery.id)).toMatchObject({ url: 'https://b.example/hook', webhookActive: false, webhookDeleted: false });
    await repos.webhooks.remove(delivery.integrationId, webhookId);
    expect(await repos.deliveries.attemptTarget(delivery.id)).toMatchObject({ webhookActive: false, webhookDeleted: true });
  });

  it('signs with the previous secret too during its grace period, not after', async () => {
    const { delivery, webhookId, secret } = await pendingDelivery();
    const next = newWebhookSecret();
    await repos.webhooks.rotateSecret(delivery.integrationId, webhookId, next, 3600);
    expect((await repos.deliveries.attemptTarget(delivery.id)).secrets).toEqual([next, secret]);
    await t.db('webhooks').where({ id: webhookId }).update({ previous_secret_expires_at: t.db.raw("now() - interval '1 second'") });
    expect((await repos.deliveries.attemptTarget(delivery.id)).secrets).toEqual([next]);
  });

  it('says which row is missing: the delivery, its event or its webhook', async () => {
    const missing = newId('delivery');
    await expectMissing(missing, `delivery ${missing} does not exist`);

    const noEvent = (await pendingDelivery()).delivery;
    await withoutForeignKeys((trx) => trx('events').where({ integration_id: noEvent.integrationId, id: noEvent.eventId }).delete());
    await expectMissing(noEvent.id, `event ${noEvent.eventId} of delivery ${noEvent.id} does not exist`);

    const noWebhook = (await pendingDelivery()).delivery;
    await withoutForeignKeys((trx) => trx('webhooks').where({ id: noWebhook.webhookId }).delete());
    await expectMissing(noWebhook.id, `webhook ${noWebhook.webhookId} of delivery ${noWebhook.id} does not exist`);
  });

  it('fails with SecretDecryptionError when the secret, or the previous one, no longer decrypts', async () => {
    const sealedElsewhere = createSecretBox(Buffer.alloc(32, 9)).encrypt(newWebhookSecret());
    const current = await pendingDelivery();
    await t.db('webhooks').where({ id: current.webhookId }).update({ secret: sealedElsewhere });
    await expect(repos.deliveries.attemptTarget(current.delivery.id)).rejects.toThrow(SecretDecryptionError);

    // Even a previous secret past its grace period: the whole webhook is decrypted, as everywhere.
    const previous = await pendingDelivery();
    await t.db('webhooks').where({ id: previous.webhookId }).update({ previous_secret: sealedElsewhere, previous_secret_expires_at: new Date(0) });
    await expect(repos.deliveries.attemptTarget(previous.delivery.id)).rejects.toThrow(SecretDecryptionError);
  });
});

const attempt = (attemptNumber: number, changes: Partial<Attempt> = {}): Attempt => ({
  attemptNumber,
  startedAt: '2026-01-01T00:00:01.000Z',
  durationMs: 12,
  statusCode: 500,
  errorClass: 'http_error',
  errorMessage: 'HTTP 500',
  responseExcerpt: 'oops',
  nextAttemptInMs: 1000,
  ...changes,
});

const deliveryRow = (id: string) => t.db('deliveries').where({ id }).first();
const failureReports = async (webhookId: string): Promise<number> => (await t.db('webhooks').where({ id: webhookId }).first()).failure_reports;

describe('deliveries.recordAttempt', () => {
  it("saves the attempt and the delivery's status; a final status also its end", async () => {
    const { delivery } = await pendingDelivery();
    expect(await repos.deliveries.recordAttempt(delivery.id, attempt(1), 'retrying')).toEqual({ failureCounted: false, webhookHealthyWithNothingPending: true });
    const retrying = await repos.deliveries.find(delivery.id);
    expect(retrying).toMatchObject({ status: 'retrying', attemptCount: 1, finishedAt: null });
    expect(retrying!.updatedAt.getTime()).toBeGreaterThan(delivery.updatedAt.getTime());
    expect(await repos.deliveries.listAttempts(delivery.id)).toEqual([attempt(1)]);

    const ok = attempt(2, { statusCode: 200, errorClass: null, errorMessage: null, responseExcerpt: null, nextAttemptInMs: undefined });
    expect(await repos.deliveries.recordAttempt(delivery.id, ok, 'delivered')).toEqual({ failureCounted: false, webhookHealthyWithNothingPending: true });
    const delivered = await repos.deliveries.find(delivery.id);
    expect(delivered).toMatchObject({ status: 'delivered', attemptCount: 2, finishedAt: expect.any(Date) });
    expect(delivered!.finishedAt).toEqual(delivered!.updatedAt);
    expect(await repos.deliveries.listAttempts(delivery.id)).toEqual([attempt(1), { ...ok, nextAttemptInMs: null }]);
  });

  it('replaces an attempt recorded again, and a late record of an earlier attempt does not lower the count', async () => {
    const { delivery } = await pendingDelivery();
    await repos.deliveries.recordAttempt(delivery.id, attempt(1), 'retrying');
    await repos.deliveries.recordAttempt(delivery.id, attempt(2), 'retrying');
    const again = attempt(1, { durationMs: 99, statusCode: 503, errorMessage: 'HTTP 503', responseExcerpt: null, nextAttemptInMs: 5000 });
    await repos.deliveries.recordAttempt(delivery.id, again, 'retrying');
    expect(await repos.deliveries.find(delivery.id)).toMatchObject({ status: 'retrying', attemptCount: 2 });
    expect(await repos.deliveries.listAttempts(delivery.id)).toEqual([again, attempt(2)]);
  });

  it('counts a failed delivery among its webhook failure reports once, however often it is recorded', async () => {
    const { delivery, webhookId } = await pendingDelivery();
    await repos.deliveries.recordAttempt(delivery.id, attempt(1), 'retrying');
    expect(await failureReports(webhookId)).toBe(0);
    expect((await deliveryRow(delivery.id)).failure_counted).toBe(false);

    const last = attempt(2, { nextAttemptInMs: null });
    for (let i = 0; i < 3; i++) {
      expect(await repos.deliveries.recordAttempt(delivery.id, last, 'failed')).toEqual({ failureCounted: true, webhookHealthyWithNothingPending: i === 0 });
    }
    expect(await failureReports(webhookId)).toBe(1);
    expect(await deliveryRow(delivery.id)).toMatchObject({ failure_counted: true, status: 'failed', attempt_count: 2 });
    expect(await repos.deliveries.failureCounted(delivery.id)).toBe(true);
    expect(await repos.deliveries.listAttempts(delivery.id)).toEqual([attempt(1), last]);
  });

  it('counts it once when two records of it overlap (the second waits, then sees the first one count it)', async () => {
    const { delivery, webhookId } = await pendingDelivery();
    // On PostgreSQL a second connection pool: its record runs while the first one's transaction is open.
    const other = t.connectAgain();
    try {
      let second: Promise<unknown> | undefined;
      await t.db.transaction(async (trx) => {
        await createRepositories(trx, box).deliveries.recordAttempt(delivery.id, attempt(4), 'failed');
        second = createRepositories(other, box).deliveries.recordAttempt(delivery.id, attempt(4), 'failed');
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      expect(await second).toMatchObject({ failureCounted: true });
      expect(await failureReports(webhookId)).toBe(1);
    } finally {
      if (other !== t.db) await other.destroy();
    }
  });

  it("clears the delivery's start mark: its workflow runs (a publication leaves that to the first record)", async () => {
    const { delivery } = await pendingDelivery();
    expect((await deliveryRow(delivery.id)).start_pending).toBe(true);
    await repos.deliveries.recordAttempt(delivery.id, attempt(1), 'retrying');
    expect((await deliveryRow(delivery.id)).start_pending).toBe(false);
  });

  it('does nothing for a delivery whose row is gone', async () => {
    const { delivery, webhookId } = await pendingDelivery();
    const gone = newId('delivery');
    expect(await repos.deliveries.recordAttempt(gone, attempt(1), 'failed')).toBeUndefined();
    expect(await t.db('delivery_attempts').where({ delivery_id: gone })).toEqual([]);
    expect(await t.db('deliveries').where({ id: gone })).toEqual([]);
    expect(await failureReports(webhookId)).toBe(0);
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: 'pending', attempt_count: 0 });
  });

  it("says whether the webhook is healthy with nothing pending, as the webhook's own check does", async () => {
    const delivered = (deliveryId: string) => repos.deliveries.recordAttempt(deliveryId, attempt(1, { statusCode: 200 }), 'delivered');
    const cases: [Record<string, number>, boolean][] = [
      [{}, true],
      [{ consecutive_failures: 1 }, false],
      // A failed delivery reported, not yet handled by the health workflow.
      [{ failure_reports: 2, failure_reports_handled: 1 }, false],
      [{ failure_reports: 2, failure_reports_handled: 2 }, true],
    ];
    for (const [webhookChanges, healthy] of cases) {
      const { delivery, webhookId } = await pendingDelivery();
      if (Object.keys(webhookChanges).length > 0) await t.db('webhooks').where({ id: webhookId }).update(webhookChanges);
      expect(await delivered(delivery.id)).toEqual({ failureCounted: false, webhookHealthyWithNothingPending: healthy });
      expect(await repos.webhooks.healthyWithNothingPending(webhookId)).toBe(healthy);
    }

    const { delivery: orphan } = await pendingDelivery();
    await withoutForeignKeys((trx) => trx('webhooks').where({ id: orphan.webhookId }).delete());
    expect(await delivered(orphan.id)).toEqual({ failureCounted: false, webhookHealthyWithNothingPending: false });
  });
});

describe('deliveries.setStatus', () => {
  it("sets a status without an attempt, its end when final, and clears the start mark as an attempt's record does", async () => {
    const { delivery } = await pendingDelivery();
    await repos.deliveries.setStatus(delivery.id, 'skipped');
    const row = await deliveryRow(delivery.id);
    expect(row).toMatchObject({ status: 'skipped', attempt_count: 0, start_pending: false, finished_at: expect.any(Date) });
    expect(row.updated_at).toEqual(row.finished_at);
  });
});
