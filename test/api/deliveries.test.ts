import { allowLocalReceivers, asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, finishedDeliveryById, integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({
    worker: true,
    env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '10' },
  });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());
afterAll(() => t.close());

const finishedById = (deliveryId: string) => finishedDeliveryById(t.repos, deliveryId);

describe('delivery log', () => {
  it('lists a webhook’s deliveries newest first, filtered, page by page', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    receiver.reply((req) => (JSON.parse(req.body).event === 'sync.completed' ? 500 : 200));
    const events = [];
    for (const type of ['supplier.created', 'sync.completed', 'supplier.updated', 'sync.completed', 'supplier.created']) {
      const data = type.startsWith('supplier') ? { externalId: 'A', internalId: 'B' } : {};
      const event = await publish(t.app, integration.id, type, data);
      await finishedDelivery(t.repos, event.id, webhook.id);
      events.push(event);
    }
    const base = `/api/v1/integration/webhook-events/${webhook.id}/deliveries`;
    const all = (await api.get(base).expect(200)).body;
    expect(all.nextCursor).toBeNull();
    expect(all.data.map((d: { eventId: string }) => d.eventId)).toEqual(events.map((e) => e.id).reverse());
    expect(all.data[0]).toEqual({
      id: expect.stringMatching(/^dlv_/),
      workflowId: `delivery-${integration.id}-${events[4].id}-${webhook.id}`,
      webhookId: webhook.id,
      eventId: events[4].id,
      eventType: 'supplier.created',
      status: 'delivered',
      attemptCount: 1,
      redeliveryOf: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      finishedAt: expect.any(String),
    });

    const failed = (await api.get(`${base}?status=failed`).expect(200)).body.data;
    expect(failed.map((d: { eventId: string }) => d.eventId)).toEqual([events[3].id, events[1].id]);
    const updated = (await api.get(`${base}?eventType=supplier.updated`).expect(200)).body.data;
    expect(updated.map((d: { eventId: string }) => d.eventId)).toEqual([events[2].id]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ eventId: string }>; nextCursor: string | null } = (
        await api.get(`${base}?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
      ).body;
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d) => d.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(events.map((e) => e.id).reverse());
  });

  it.each([['status=done'], ['eventType=nope'], ['limit=0'], ['limit=101'], ['cursor=abc'], ['unknown=1']])(
    'rejects ?%s with 400',
    async (query) => {
      const { api, webhook } = await integrationWithWebhook(t.app, receiver.url);
      const res = await api.get(`/api/v1/integration/webhook-events/${webhook.id}/deliveries?${query}`).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    },
  );

  it('shows one delivery with its attempts', async () => {
    receiver.reply(() => ({ status: 500, body: 'nope' }));
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    const res = await api.get(`/api/v1/integration/deliveries/${delivery.id}`).expect(200);
    expect(res.body).toMatchObject({ id: delivery.id, status: 'failed', attemptCount: 2, event: { id: event.id, type: 'supplier.created', timestamp: event.timestamp } });
    expect(res.body.event.payload).toEqual({ event: 'supplier.created', timestamp: event.timestamp, integrationId: integration.id, data: expect.any(Object) });
    expect(res.body.attempts).toEqual([1, 2].map((n) => ({
      attempt: n,
      startedAt: expect.any(String),
      durationMs: expect.any(Number),
      statusCode: 500,
      error: { class: 'http_status', message: expect.stringContaining('500') },
      responseExcerpt: 'nope',
      // The scheduled wait after the first failure; none after the last.
      nextAttemptInMs: n === 1 ? Number(t.config.retryDelaysMs[0]) : null,
    })));
  });

  it("answers 404 for another integration's deliveries and webhooks", async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    const intruder = withBearer(t.app, (await createIntegration(t.app)).token);
    await intruder.get(`/api/v1/integration/deliveries/${delivery.id}`).expect(404);
    await intruder.post(`/api/v1/integration/deliveries/${delivery.id}/redeliver`).expect(404);
    await intruder.get(`/api/v1/integration/webhook-events/${webhook.id}/deliveries`).expect(404);
    await intruder.post(`/api/v1/integration/webhook-events/${webhook.id}/test`).expect(404);
    await intruder.post(`/api/v1/integration/webhook-events/${webhook.id}/recover`, { since: new Date(0).toISOString() }).expect(404);
    // The admin view reaches it.
    await asAdmin(t.app).get(`/api/v1/admin/integrations/${integration.id}/deliveries/${delivery.id}`).expect(200);
  });
});

describe('redelivery', () => {
  it('sends the same event again with a new delivery id, the same body and timestamp', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const original = await finishedDelivery(t.repos, event.id, webhook.id);
    const res = await api.post(`/api/v1/integration/deliveries/${original.id}/redeliver`).expect(202);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^dlv_/), eventId: event.id, webhookId: webhook.id, redeliveryOf: original.id });
    expect(res.body.id).not.toBe(original.id);
    expect((await finishedById(res.body.id)).status).toBe('delivered');
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second.body).toBe(first.body);
    expect(second.headers['x-webhook-timestamp']).toBe(first.headers['x-webhook-timestamp']);
    expect(second.headers['x-webhook-delivery-id']).toBe(res.body.id);
  });

  it('is refused with 409 on a disabled webhook, starting nothing', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    const original = await finishedDelivery(t.repos, event.id, webhook.id);
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
    const res = await api.post(`/api/v1/integration/deliveries/${original.id}/redeliver`).expect(409);
    expect(res.body.error).toEqual({ code: 'conflict', message: expect.stringMatching(/disabled/) });
    await api.post(`/api/v1/integration/webhook-events/${webhook.id}/test`).expect(409);
    await api.post(`/api/v1/integration/webhook-events/${webhook.id}/recover`, { since: new Date(0).toISOString() }).expect(409);
    expect(await t.repos.deliveries.listForEvent(integration.id, event.id)).toHaveLength(1);
  });
});

describe('recovery', () => {
  it('redelivers each failed delivery of the window once; a second call starts nothing', async () => {
    receiver.reply(() => 500);
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const since = new Date(Date.now() - 1000).toISOString();
    const failedEvents = [await publish(t.app, integration.id), await publish(t.app, integration.id)];
    for (const e of failedEvents) expect((await finishedDelivery(t.repos, e.id, webhook.id)).status).toBe('failed');
    receiver.reply(() => 200);
    const ok = await publish(t.app, integration.id);
    await finishedDelivery(t.repos, ok.id, webhook.id);

    const recover = `/api/v1/integration/webhook-events/${webhook.id}/recover`;
    expect((await api.post(recover, { since }).expect(202)).body).toEqual({ count: 2 });
    expect((await api.post(recover, { since }).expect(202)).body).toEqual({ count: 0 });
    for (const e of failedEvents) {
      await waitFor('the recovered delivery', async () => {
        const all = await t.repos.deliveries.listForEvent(integration.id, e.id);
        return all.length === 2 && all.every((d) => d.status === 'delivered' || d.status === 'failed') && all.some((d) => d.status === 'delivered') ? true : undefined;
      });
    }
    // A window before the failures recovers nothing.
    expect((await api.post(recover, { since: new Date(0).toISOString(), until: since }).expect(202)).body).toEqual({ count: 0 });
  });

  it.each([[{}], [{ since: 'yesterday' }], [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }], [{ since: '2026-01-01T00:00:00Z', x: 1 }]])(
    'rejects %j with 400',
    async (body) => {
      const { api, webhook } = await integrationWithWebhook(t.app, receiver.url);
      const res = await api.post(`/api/v1/integration/webhook-events/${webhook.id}/recover`, body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    },
  );
});

describe('test event', () => {
  it('sends webhook.test through the normal delivery path', async () => {
    const { api, webhook, integration } = await integrationWithWebhook(t.app, receiver.url, ['sync.completed']);
    const res = await api.post(`/api/v1/integration/webhook-events/${webhook.id}/test`).expect(202);
    expect(res.body).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), eventId: expect.stringMatching(/^evt_/) });
    expect((await finishedById(res.body.deliveryId)).status).toBe('delivered');
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.headers['x-webhook-event']).toBe('webhook.test');
    expect(request.headers['x-webhook-delivery-id']).toBe(res.body.deliveryId);
    expect(JSON.parse(request.body)).toMatchObject({ event: 'webhook.test', integrationId: integration.id, data: { webhookId: webhook.id } });
  });

  it('cannot be subscribed to or published', async () => {
    const { integration, api } = await integrationWithWebhook(t.app, receiver.url);
    await api.post('/api/v1/integration/webhook-events', { url: receiver.url, events: ['webhook.test'] }).expect(400);
    const res = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'webhook.test', data: {} }).expect(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'event' })]);
  });
});
