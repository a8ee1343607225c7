import type { Knex } from 'knex';
import { createRepositories, type Repositories } from '../../src/db';
import { createSecretBox, SecretDecryptionError } from '../../src/db/secret-box';
import { MissingDeliveryDataError, type Delivery } from '../../src/db/deliveries';
import { newId, newWebhookSecret } from '../../src/domain/ids';
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
  const { deliveries } = await repos.publications.record({ id: newId('event'), integrationId, type: 'supplier.created', body, timestamp }, { startPending: true });
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
