import request from 'supertest';
import { NativeConnection } from '@temporalio/worker';
import { createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';
import { makeTestCertificates } from '../helpers/tls';
import { workerOperationsApp } from '../../src/worker/operations';
import { createMetrics } from '../../src/metrics';
import { createLogger } from '../../src/logger';

describe('over HTTPS', () => {
  const certificates = makeTestCertificates();
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    // Private targets allowed (the receiver is on this machine), but no plain http: the production URL rule.
    t = await createTestApp({
      worker: true,
      env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
      sender: { extraCaCertificate: certificates.ca },
    });
    receiver = await startReceiver(() => 204, { tls: certificates });
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('delivers to a receiver whose certificate a trusted authority signed', async () => {
    expect(receiver.url).toMatch(/^https:\/\/localhost:\d+\/hook$/);
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 1 });
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ event: 'supplier.created', integrationId: integration.id });
    const [attempt] = await t.repos.deliveries.listAttempts(delivery.id);
    expect(attempt).toMatchObject({ statusCode: 204, errorClass: null });
  });
});

describe('a host name that resolves to loopback', () => {
  let t: TestApp;
  let receiver: Receiver;
  const lookups: string[] = [];
  beforeAll(async () => {
    // Production target rules (no private targets); only plain http is allowed, to reach the test receiver.
    t = await createTestApp({
      worker: true,
      env: { WEBHOOK_ALLOW_INSECURE_URLS: 'true', WEBHOOK_RETRY_DELAYS_MS: '10,10,10' },
      sender: {
        resolve: async (hostname) => {
          lookups.push(hostname);
          return [{ address: '127.0.0.1', family: 4 }];
        },
      },
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('is registered (it is a name), then refused on every attempt without a connection', async () => {
    const url = `http://hooks.customer.example:${receiver.port}/hook`;
    const { integration, webhook } = await integrationWithWebhook(t.app, url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4 });
    expect(lookups).toContain('hooks.customer.example');
    expect(receiver.requests).toHaveLength(0);
    const attempts = await t.repos.deliveries.listAttempts(delivery.id);
    expect(attempts.map((a) => a.errorClass)).toEqual(['blocked_target', 'blocked_target', 'blocked_target', 'blocked_target']);
    expect(attempts[0].errorMessage).toBe(
      'refused to connect to 127.0.0.1 for hooks.customer.example (loopback address; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true for development)',
    );
  });
});

describe("the worker's readiness probe", () => {
  it('checks the namespace the worker is configured for', async () => {
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
    const t = await createTestApp();
    try {
      const probe = (temporalNamespace: string) =>
        request(workerOperationsApp({ connection, config: { temporalNamespace }, db: t.repos.db, metrics: createMetrics(), logger: createLogger('silent') })).get('/readyz');
      expect((await probe('default')).status).toBe(200);
      const res = await probe('no-such-namespace');
      expect(res.status).toBe(503);
      expect(res.body.error.details).toEqual([{ path: 'temporal', message: expect.stringMatching(/no-such-namespace/) }]);
    } finally {
      await t.close();
      await connection.close();
    }
  });
});
