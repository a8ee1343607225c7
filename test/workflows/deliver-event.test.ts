import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { allowLocalReceivers, asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish, supplier } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';
import { newId } from '../../src/domain/ids';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: allowLocalReceivers });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());
afterAll(() => t.close());

const attemptsOf = (deliveryId: string) => t.repos.deliveries.listAttempts(deliveryId);

describe('a delivery', () => {
  it('POSTs the exact body with every header and both signatures', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id, 'supplier.created', { externalId: 'VENDOR-001', internalId: 'clx...', extra: 1 });
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    expect(delivery.status).toBe('delivered');

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hook');
    expect(request.body).toBe(
      JSON.stringify({
        event: 'supplier.created',
        timestamp: event.timestamp,
        integrationId: integration.id,
        data: { externalId: 'VENDOR-001', internalId: 'clx...', extra: 1 },
      }),
    );
    expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const h = request.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['user-agent']).toBe('EUDR-Platform-Webhook/1.0');
    expect(h['x-webhook-event']).toBe('supplier.created');
    expect(h['x-webhook-id']).toBe(webhook.id);
    expect(h['x-webhook-timestamp']).toBe(event.timestamp);
    expect(h['x-webhook-delivery-id']).toBe(delivery.id);
    expect(h['x-webhook-delivery-id']).toMatch(/^dlv_[0-9A-Za-z]{20,}$/);
    expect(h['x-webhook-attempt']).toBe('1');

    // The plain signature, computed independently: HMAC of "timestamp.body" keyed with the whole secret.
    const expected = createHmac('sha256', Buffer.from(webhook.secret, 'utf8')).update(`${event.timestamp}.${request.body}`).digest('hex');
    expect(h['x-webhook-signature']).toBe(`sha256=${expected}`);

    // Standard Webhooks, verified by its own library.
    expect(h['webhook-id']).toBe(delivery.id);
    expect(Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const verified = new Webhook(webhook.secret).verify(request.body, {
      'webhook-id': String(h['webhook-id']),
      'webhook-timestamp': String(h['webhook-timestamp']),
      'webhook-signature': String(h['webhook-signature']),
    });
    expect(verified).toEqual(JSON.parse(request.body));
  });

  it('succeeds on the third attempt with the same body, delivery id and rising attempt numbers', async () => {
    receiver.reply((_req, n) => (n < 3 ? { status: 503, body: 'busy' } : 204));
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);

    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 3 });
    expect(receiver.requests.map((r) => r.headers['x-webhook-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.headers['x-webhook-delivery-id'])).size).toBe(1);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a) => [a.attemptNumber, a.statusCode, a.errorClass])).toEqual([
      [1, 503, 'http_status'],
      [2, 503, 'http_status'],
      [3, 204, null],
    ]);
    expect(attempts[0].responseExcerpt).toBe('busy');
    // Waits between attempts follow the settings (100 ms, then 200 ms).
    const gaps = receiver.requests.slice(1).map((r, i) => r.receivedAt - receiver.requests[i].receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
  });

  it('fails after 4 attempts and records each one', async () => {
    receiver.reply(() => ({ status: 500, body: 'x'.repeat(5000) }));
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);

    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4 });
    expect(delivery.finishedAt).not.toBeNull();
    expect(receiver.requests).toHaveLength(4);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts).toHaveLength(4);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ statusCode: 500, errorClass: 'http_status', errorMessage: expect.stringContaining('500') });
      expect(Buffer.byteLength(attempt.responseExcerpt!)).toBe(1024);
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(attempt.startedAt)).not.toBeNaN();
    }
  });

  it('counts a redirect as a failure and does not follow it', async () => {
    const elsewhere = await startReceiver();
    try {
      receiver.reply(() => ({ status: 302, headers: { Location: elsewhere.url } }));
      const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
      const event = await publish(t.app, integration.id);
      const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
      expect(delivery.status).toBe('failed');
      expect((await attemptsOf(delivery.id)).map((a) => a.statusCode)).toEqual([302, 302, 302, 302]);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('keeps the DeliveryStatus search attribute current, so operators can find failed deliveries', async () => {
    receiver.reply(() => 500);
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    const found = await waitFor('the failed delivery in visibility', async () => {
      const ids: string[] = [];
      for await (const wf of t.temporal.workflow.list({ query: `DeliveryStatus="failed" AND WebhookId="${webhook.id}"` })) ids.push(wf.workflowId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([delivery.workflowId]);
    expect(delivery.workflowId).toBe(`delivery-${integration.id}-${event.id}-${webhook.id}`);
    const described = await t.temporal.workflow.getHandle(delivery.workflowId).describe();
    const attrs = described.searchAttributes as Record<string, unknown[]>;
    expect(attrs).toMatchObject({
      WebhookId: [webhook.id],
      IntegrationId: [integration.id],
      EventType: ['supplier.created'],
      DeliveryStatus: ['failed'],
    });
  });
});

describe('target safety at connection time', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ worker: true, env: { WEBHOOK_RETRY_DELAYS_MS: '10' } });
  });
  afterAll(() => strict.close());

  // Registration refuses these URLs, so each is written straight into the database: as if the
  // name had resolved to a public address when registered and to a private one now.
  it.each([
    ['a loopback IP', (port: number) => `https://127.0.0.1:${port}/hook`],
    ['a hostname that resolves to loopback', (port: number) => `https://localhost:${port}/hook`],
    ['an IPv4-mapped IPv6 loopback', (port: number) => `https://[::ffff:127.0.0.1]:${port}/hook`],
  ])('refuses %s as a failed attempt with a clear error, and connects to nothing', async (_label, urlFor) => {
    const { integration, webhook } = await integrationWithWebhook(strict.app, 'https://hooks.example.com/in');
    await strict.repos.db('webhooks').where({ id: webhook.id }).update({ url: urlFor(receiver.port) });
    const event = await publish(strict.app, integration.id);
    const delivery = await finishedDelivery(strict.repos, event.id, webhook.id);
    expect(delivery.status).toBe('failed');
    const attempts = await strict.repos.deliveries.listAttempts(delivery.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ statusCode: null, errorClass: 'blocked_target', errorMessage: expect.stringMatching(/refused/i) });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('publishing', () => {
  it('is idempotent: the same event id twice delivers once and answers the first publication', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const id = newId('event');
    const first = await publish(t.app, integration.id, 'supplier.updated', supplier, id);
    const second = await publish(t.app, integration.id, 'supplier.updated', supplier, id);
    expect(second).toEqual(first);
    expect(first).toEqual({ id, event: 'supplier.updated', integrationId: integration.id, timestamp: expect.any(String) });
    await finishedDelivery(t.repos, id, webhook.id);
    const third = await publish(t.app, integration.id, 'supplier.updated', supplier, id);
    expect(third).toEqual(first);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(1);
    expect(await t.repos.deliveries.listForEvent(integration.id, id)).toHaveLength(1);
  });

  it('fans out to every active subscribed webhook of the integration, and to no other', async () => {
    const { integration, api, webhook: subscribed } = await integrationWithWebhook(t.app, `${receiver.url}?w=1`, ['supplier.created']);
    const create = async (events: string[], tag: string) =>
      (await api.post('/api/v1/integration/webhook-events', { url: `${receiver.url}?w=${tag}`, events }).expect(201)).body.id as string;
    const alsoSubscribed = await create(['sync.completed', 'supplier.created'], '2');
    const otherEvent = await create(['supplier.updated'], 'other-event');
    const inactive = await create(['supplier.created'], 'inactive');
    await api.patch(`/api/v1/integration/webhook-events/${inactive}`, { active: false }).expect(200);
    const deleted = await create(['supplier.created'], 'deleted');
    await api.delete(`/api/v1/integration/webhook-events/${deleted}`).expect(204);
    const other = await integrationWithWebhook(t.app, `${receiver.url}?w=other-integration`, ['supplier.created']);

    const event = await publish(t.app, integration.id);
    await finishedDelivery(t.repos, event.id, subscribed.id);
    await finishedDelivery(t.repos, event.id, alsoSubscribed);
    const deliveries = await t.repos.deliveries.listForEvent(integration.id, event.id);
    expect(deliveries.map((d) => d.webhookId).sort()).toEqual([subscribed.id, alsoSubscribed].sort());
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/hook?w=1', '/hook?w=2']);
    expect([otherEvent, inactive, deleted, other.webhook.id].some((id) => deliveries.some((d) => d.webhookId === id))).toBe(false);
  });

  it.each([
    [{ event: 'supplier.created', data: { externalId: 'A' } }, 'data.internalId'],
    [{ event: 'supplier.created', data: { externalId: '', internalId: 'x' } }, 'data.externalId'],
    [{ event: 'sync.completed', data: 'done' }, 'data'],
    [{ event: 'supplier.deleted', data: {} }, 'event'],
    [{ event: 'sync.completed', data: {}, id: 'my-id' }, 'id'],
    [{ event: 'sync.completed', data: {}, extra: 1 }, ''],
  ])('rejects %j with 400 and starts nothing', async (body, path) => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const res = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, ...body }).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await t.repos.db('deliveries').where({ webhook_id: webhook.id })).toEqual([]);
  });

  it('answers 404 for an unknown integration, recording nothing, and 401 without the admin key', async () => {
    const eventId = newId('event');
    const res = await asAdmin(t.app)
      .post('/api/v1/admin/events', { integrationId: 'int_doesnotexist00000000000', event: 'sync.completed', data: {}, id: eventId })
      .expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Integration not found' } });
    expect(await t.repos.db('events').where({ id: eventId })).toEqual([]);
    const { token, id } = await createIntegration(t.app);
    await withBearer(t.app, token).post('/api/v1/admin/events', { integrationId: id, event: 'sync.completed', data: {} }).expect(401);
  });
});
