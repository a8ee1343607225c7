import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { buildApp } from '../../src/api/app';
import { createLogger } from '../../src/logger';
import { deliveryOutcomeSignal } from '../../src/domain/workflow-definitions';
import { workflowIds } from '../../src/domain/workflow-ids';
import { newId } from '../../src/domain/ids';
import { asAdmin, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { finishedDelivery, finishedDeliveryById, integrationWithWebhook, supplier } from '../helpers/deliveries';
import { startReceiver } from '../helpers/receiver';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';

let t: TestApp;
let deadTemporal: Client;
/** The same API and database, with a Temporal client whose server cannot be reached. */
let cutOff: Express;
beforeAll(async () => {
  // Attempts may take 20 s, so that a hanging receiver keeps a first attempt in flight past the sweep.
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_INSECURE_URLS: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_ATTEMPT_TIMEOUT_MS: '20000' } });
  deadTemporal = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }), namespace: t.config.temporalNamespace });
  cutOff = buildApp({ config: t.config, repos: t.repos, logger: createLogger('silent'), temporal: deadTemporal });
});
afterAll(async () => {
  await deadTemporal.connection.close();
  await t.close();
});

const url = 'http://127.0.0.1:9/hook';

describe('with Temporal unreachable', () => {
  it('publishing is acknowledged, and delivered once Temporal answers again: the worker starts what the publication left behind', async () => {
    const receiver = await startReceiver();
    try {
      const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
      const id = newId('event');
      const res = await asAdmin(cutOff).post('/api/v1/admin/events', { integrationId: integration.id, event: 'supplier.created', data: supplier, id });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id, integrationId: integration.id, event: 'supplier.created' });
      // Recorded at once, started by the worker's sweep (its Temporal is up).
      expect(await t.repos.deliveries.listForEvent(integration.id, id)).toEqual([expect.objectContaining({ webhookId: webhook.id })]);
      expect((await finishedDelivery(t.repos, id, webhook.id)).status).toBe('delivered');
      expect(receiver.requests).toHaveLength(1);
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ event: 'supplier.created', timestamp: res.body.timestamp });
    } finally {
      await receiver.close();
    }
  });

  it('a delivery that was started, but whose start was not marked, is only marked: never started a second time', async () => {
    const receiver = await startReceiver();
    try {
      const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
      const published = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'supplier.created', data: supplier }).expect(202);
      const delivery = await finishedDelivery(t.repos, published.body.id, webhook.id);
      // Its workflow gone (as after the retention period) and its mark lost: a start would deliver again.
      await t.temporal.workflow.getHandle(delivery.workflowId).result();
      await t.temporal.workflowService.deleteWorkflowExecution({ namespace: t.config.temporalNamespace, workflowExecution: { workflowId: delivery.workflowId } });
      await t.repos.db('deliveries').where({ id: delivery.id }).update({ start_pending: true });
      await waitFor('the sweep to mark it', async () => ((await t.repos.db('deliveries').where({ id: delivery.id }).first()).start_pending ? undefined : true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('a delivery its publication started, still on its first attempt when the sweep looks, is only marked: never started a second time', async () => {
    const receiver = await startReceiver(() => 'hang');
    try {
      const { integration } = await integrationWithWebhook(t.app, receiver.url);
      const published = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'supplier.created', data: supplier }).expect(202);
      await waitFor('the first attempt in flight', () => (receiver.requests.length === 1 ? true : undefined));
      const [delivery] = await t.repos.deliveries.listForEvent(integration.id, published.body.id);
      // The hanging attempt has made no first record: the mark is cleared by the publication's
      // batched marks or, if it looks first, by the sweep, after a start Temporal refuses.
      const row = () => t.repos.db('deliveries').where({ id: delivery.id }).first();
      const marked = await waitFor('the sweep to mark it', async () => {
        const current = await row();
        return current.start_pending ? undefined : current;
      });
      expect(marked).toMatchObject({ status: 'pending', attempt_count: 0 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.requests).toHaveLength(1);
      await t.temporal.workflow.getHandle(delivery.workflowId).cancel();
      expect((await finishedDeliveryById(t.repos, delivery.id)).status).toBe('cancelled');
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('re-enabling answers 503 and changes nothing', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, url);
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
    const res = await withBearer(cutOff, integration.token).patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true, description: 'changed' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect((await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(200)).body).toMatchObject({ active: false, description: null });
  });

  it('deleting answers 503 and changes nothing', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, url);
    const res = await withBearer(cutOff, integration.token).delete(`/api/v1/integration/webhook-events/${webhook.id}`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(200);
  });
});

describe('deleting a webhook', () => {
  it('removes it before telling its health workflow: if telling fails, the webhook is gone and the workflow ends at its next outcome', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, url);
    const health = await t.temporal.workflow.start('webhookHealth', {
      workflowId: workflowIds.health(webhook.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id }],
    });
    // Temporal answers the check, then goes away before the signal.
    const flaky = new Client({ connection: t.temporal.connection, namespace: t.config.temporalNamespace });
    const getHandle = flaky.workflow.getHandle.bind(flaky.workflow);
    flaky.workflow.getHandle = ((...args: Parameters<typeof getHandle>) => {
      const handle = getHandle(...args);
      handle.signal = async () => {
        throw Object.assign(new Error('14 UNAVAILABLE: connection lost'), { code: 14 });
      };
      return handle;
    }) as typeof getHandle;
    const app = buildApp({ config: t.config, repos: t.repos, logger: createLogger('silent'), temporal: flaky });

    expect((await withBearer(app, integration.token).delete(`/api/v1/integration/webhook-events/${webhook.id}`)).status).toBe(503);
    await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(404);
    // Deleted all the same: a publication records no delivery to it.
    const publication = await t.repos.publications.record(
      { id: newId('event'), integrationId: integration.id, type: 'supplier.created', body: '{}', timestamp: new Date().toISOString() },
      { startBy: 'caller', taskQueue: 'webhooks' },
    );
    expect(publication.deliveries).toEqual([]);
    // The next outcome finds the webhook deleted: the health workflow ends.
    await health.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false });
    await health.result();
    await waitFor('the health workflow to complete', async () => ((await health.describe()).status.name === 'COMPLETED' ? true : undefined));
  });
});
