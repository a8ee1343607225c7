import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createSecretBox, SecretDecryptionError } from '../../src/db/secret-box';
import { createRepositories } from '../../src/db';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver, type ReceivedRequest } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: allowLocalReceivers });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

const standardHeaders = (r: ReceivedRequest) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});
const plain = (secret: string, r: ReceivedRequest) =>
  'sha256=' + createHmac('sha256', secret).update(`${r.headers['x-webhook-timestamp']}.${r.body}`).digest('hex');

async function deliverOne(integrationId: string, webhookId: string): Promise<ReceivedRequest> {
  const before = receiver.requests.length;
  const event = await publish(t.app, integrationId);
  await finishedDelivery(t.repos, event.id, webhookId);
  return receiver.requests[before];
}

describe('secret rotation', () => {
  it('returns the new secret once; during the grace period deliveries are signed with both secrets', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const oldSecret = webhook.secret;
    const res = await api.post(`/api/v1/integration/webhook-events/${webhook.id}/rotate-secret`, { gracePeriodSeconds: 3600 }).expect(200);
    const newSecret: string = res.body.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    const expiresIn = Date.parse(res.body.previousSecretExpiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    expect((await api.get(`/api/v1/integration/webhook-events/${webhook.id}`)).body).not.toHaveProperty('secret');

    const request = await deliverOne(integration.id, webhook.id);
    // Receivers holding either secret verify, with both schemes.
    expect(String(request.headers['x-webhook-signature']).split(',')).toEqual([plain(newSecret, request), plain(oldSecret, request)]);
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(new Webhook(secret).verify(request.body, standardHeaders(request))).toEqual(JSON.parse(request.body));
    }
  });

  it('with no grace period, signs only with the new secret', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const res = await api.post(`/api/v1/integration/webhook-events/${webhook.id}/rotate-secret`, { gracePeriodSeconds: 0 }).expect(200);
    expect(res.body.previousSecretExpiresAt).toBeNull();
    const request = await deliverOne(integration.id, webhook.id);
    expect(request.headers['x-webhook-signature']).toBe(plain(res.body.secret, request));
    expect(() => new Webhook(webhook.secret).verify(request.body, standardHeaders(request))).toThrow();
    expect(new Webhook(res.body.secret).verify(request.body, standardHeaders(request))).toBeTruthy();
  });

  it('defaults to a grace period of one day', async () => {
    const { api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const res = await api.post(`/api/v1/integration/webhook-events/${webhook.id}/rotate-secret`).expect(200);
    expect(Date.parse(res.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(86_300_000);
  });

  it.each([[{ gracePeriodSeconds: 604801 }], [{ gracePeriodSeconds: -1 }], [{ gracePeriodSeconds: 1.5 }], [{ gracePeriodSeconds: '60' }], [{ grace: 60 }]])(
    'rejects %j with 400 and keeps the secret',
    async (body) => {
      const { api, webhook } = await integrationWithWebhook(t.app, receiver.url);
      const before = await t.repos.db('webhooks').where({ id: webhook.id }).first();
      const res = await api.post(`/api/v1/integration/webhook-events/${webhook.id}/rotate-secret`, body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(await t.repos.db('webhooks').where({ id: webhook.id }).first()).toEqual(before);
    },
  );

  it('answers 404 for a missing webhook', async () => {
    const { api } = await integrationWithWebhook(t.app, receiver.url);
    await api.post('/api/v1/integration/webhook-events/wh_doesnotexist000000000000/rotate-secret').expect(404);
  });
});

describe('secrets at rest', () => {
  it('are stored encrypted with AES-256-GCM, never in plain text', async () => {
    const { api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    await api.post(`/api/v1/integration/webhook-events/${webhook.id}/rotate-secret`).expect(200);
    const row = await t.repos.db('webhooks').where({ id: webhook.id }).first();
    for (const stored of [row.secret, row.previous_secret]) {
      expect(stored).toMatch(/^enc:v1:/);
      expect(stored).not.toContain('whsec_');
    }
    expect(createSecretBox(t.config.secretEncryptionKey!).decrypt(row.previous_secret)).toBe(webhook.secret);
  });

  it('cannot be read with another key, and tampering is detected', async () => {
    const { webhook } = await integrationWithWebhook(t.app, receiver.url);
    const row = await t.repos.db('webhooks').where({ id: webhook.id }).first();
    const otherKey = createSecretBox(Buffer.alloc(32, 7));
    expect(() => otherKey.decrypt(row.secret)).toThrow(SecretDecryptionError);
    const box = createSecretBox(t.config.secretEncryptionKey!);
    const tampered = row.secret.slice(0, -4) + (row.secret.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.decrypt(tampered)).toThrow(SecretDecryptionError);
  });

  it('encrypts secrets left in plain text by an earlier version', async () => {
    const { api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    await t.repos.db('webhooks').where({ id: webhook.id }).update({ secret: webhook.secret });
    const repos = createRepositories(t.repos.db, createSecretBox(t.config.secretEncryptionKey!));
    expect(await repos.webhooks.encryptPlaintextSecrets()).toBe(1);
    expect((await t.repos.db('webhooks').where({ id: webhook.id }).first()).secret).toMatch(/^enc:v1:/);
    await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(200);
  });
});
