import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../src/logger';
import { adminKey, allowLocalReceivers, asAdmin, createTestApp, withBearer, type TestApp } from './helpers/app';
import { cutOffDatabase } from './helpers/db';
import { finishedDelivery, integrationWithWebhook, publish } from './helpers/deliveries';
import { startReceiver, type Receiver } from './helpers/receiver';

/** Every log line the app and its worker write, at the most talkative level. */
const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: allowLocalReceivers, logger: createLogger('trace', { pretty: false, destination: capture }) });
  receiver = await startReceiver();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

it('no log line of a full run carries a webhook secret, an API token, the admin key or the encryption key', async () => {
  // Create an integration, a second token, a webhook; publish and deliver.
  const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
  const secondToken = (await asAdmin(t.app).post(`/api/v1/admin/integrations/${integration.id}/tokens`).expect(201)).body.token as string;
  const delivered = await publish(t.app, integration.id);
  expect((await finishedDelivery(t.repos, delivered.id, webhook.id)).status).toBe('delivered');

  // Rotate the secret: deliveries are signed with both.
  const rotated = (await api.post(`/api/v1/integration/webhook-events/${webhook.id}/rotate-secret`, { gracePeriodSeconds: 3600 }).expect(200)).body.secret as string;
  await withBearer(t.app, secondToken).post(`/api/v1/integration/webhook-events/${webhook.id}/test`).expect(202);

  // A failing delivery (every attempt refused), refused credentials, an outage and a bug.
  receiver.reply(() => ({ status: 500, body: 'no' }));
  const failing = await publish(t.app, integration.id);
  expect((await finishedDelivery(t.repos, failing.id, webhook.id)).status).toBe('failed');
  await request(t.app).get('/api/v1/integration/webhook-events').set('Authorization', `Bearer ${secondToken}x`).expect(401);
  await request(t.app).get('/api/v1/admin/integrations').set('Authorization', `Bearer ${adminKey}x`).expect(401);
  const outage = cutOffDatabase(t.repos.webhooks, 'list');
  await api.get('/api/v1/integration/webhook-events').expect(503);
  outage.restore();
  const list = t.repos.integrations.list;
  t.repos.integrations.list = async () => {
    throw new Error('a bug');
  };
  await asAdmin(t.app).get('/api/v1/admin/integrations').expect(500);
  t.repos.integrations.list = list;

  // The capture works: the run's own ids are there.
  const log = lines.join('\n');
  expect(log).toContain(delivered.id);
  expect(log).toContain('dependency unavailable');
  expect(log).toContain('unhandled error');

  const key = t.config.secretEncryptionKey!;
  const secrets = {
    'webhook secret': webhook.secret,
    'webhook secret (key part)': webhook.secret.slice('whsec_'.length),
    'rotated webhook secret': rotated,
    'rotated webhook secret (key part)': rotated.slice('whsec_'.length),
    'API token': integration.token,
    'second API token': secondToken,
    'admin key': adminKey,
    'encryption key (base64)': key.toString('base64'),
    'encryption key (hex)': key.toString('hex'),
  };
  const found = Object.entries(secrets).filter(([, secret]) => log.includes(secret));
  expect(found.map(([what]) => what)).toEqual([]);
  console.log(`Logs: ${lines.length} lines checked for ${Object.keys(secrets).length} secrets`);
});

it('redacts credential fields should a whole object be logged', () => {
  const captured: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      captured.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('info', { pretty: false, destination });
  logger.info({ config: { adminApiKey: 'k-admin', secretEncryptionKey: 'k-enc' }, webhook: { id: 'wh_1', secret: 'whsec_x' }, req: { headers: { authorization: 'Bearer t' } }, token: 'eudr_live_y' }, 'oops');
  const line = captured.join('');
  for (const secret of ['k-admin', 'k-enc', 'whsec_x', 'Bearer t', 'eudr_live_y']) expect(line).not.toContain(secret);
  expect(JSON.parse(line)).toMatchObject({ webhook: { id: 'wh_1', secret: '[redacted]' }, msg: 'oops' });
});
