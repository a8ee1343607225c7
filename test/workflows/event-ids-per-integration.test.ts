import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createPublisher } from '../../src/client';
import { createActivities } from '../../src/activities';
import { createHttpSender } from '../../src/activities/http-sender';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { newId } from '../../src/domain/ids';
import { workflowIds } from '../../src/domain/workflow-ids';
import { allowLocalReceivers, asAdmin, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';

let t: TestApp;
let receiverA: Receiver;
let receiverB: Receiver;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: allowLocalReceivers });
  [receiverA, receiverB] = await Promise.all([startReceiver(), startReceiver()]);
});
afterAll(async () => {
  await Promise.all([receiverA.close(), receiverB.close()]);
  await t.close();
});

const bodiesOf = (receiver: Receiver) => receiver.requests.map((r) => JSON.parse(r.body));

/** A producer service: a Temporal connection and nothing else. */
async function producer() {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  const publisher = createPublisher({ client: new Client({ connection }), taskQueue: t.config.temporalTaskQueue });
  return { publisher, close: () => connection.close() };
}

describe('event ids are per integration', () => {
  beforeEach(() => {
    receiverA.requests.length = 0;
    receiverB.requests.length = 0;
  });

  it('over REST: the same id from two integrations is two events, each delivered with its own data to its own webhooks', async () => {
    const a = await integrationWithWebhook(t.app, receiverA.url);
    const b = await integrationWithWebhook(t.app, receiverB.url);
    const id = newId('event');
    const publishedA = await publish(t.app, a.integration.id, 'supplier.created', { externalId: 'A-1', internalId: 'a' }, id);
    const publishedB = await publish(t.app, b.integration.id, 'supplier.created', { externalId: 'B-1', internalId: 'b' }, id);
    expect(publishedA).toMatchObject({ id, integrationId: a.integration.id });
    expect(publishedB).toMatchObject({ id, integrationId: b.integration.id });

    expect((await finishedDelivery(t.repos, id, a.webhook.id)).status).toBe('delivered');
    expect((await finishedDelivery(t.repos, id, b.webhook.id)).status).toBe('delivered');
    expect(bodiesOf(receiverA)).toEqual([expect.objectContaining({ integrationId: a.integration.id, data: { externalId: 'A-1', internalId: 'a' } })]);
    expect(bodiesOf(receiverB)).toEqual([expect.objectContaining({ integrationId: b.integration.id, data: { externalId: 'B-1', internalId: 'b' } })]);
    expect(await t.repos.events.find(a.integration.id, id)).toMatchObject({ integrationId: a.integration.id });
    expect(await t.repos.events.find(b.integration.id, id)).toMatchObject({ integrationId: b.integration.id });
  });

  it('once the first publication has left Temporal, the same id sends nothing new for its integration and nothing of it for another', async () => {
    const a = await integrationWithWebhook(t.app, receiverA.url);
    const b = await integrationWithWebhook(t.app, receiverB.url);
    const id = newId('event');
    const first = await publish(t.app, a.integration.id, 'supplier.created', { externalId: 'A-2', internalId: 'a' }, id);
    await finishedDelivery(t.repos, id, a.webhook.id);
    // As after the retention period: the delivery's workflow is gone, the rows stay.
    const deliveryWorkflowId = workflowIds.delivery(a.integration.id, id, a.webhook.id);
    await t.temporal.workflow.getHandle(deliveryWorkflowId).result();
    await t.temporal.workflowService.deleteWorkflowExecution({ namespace: t.config.temporalNamespace, workflowExecution: { workflowId: deliveryWorkflowId } });

    const again = await publish(t.app, a.integration.id, 'supplier.created', { externalId: 'A-3', internalId: 'a' }, id);
    expect(again).toEqual(first);
    await publish(t.app, b.integration.id, 'supplier.created', { externalId: 'B-2', internalId: 'b' }, id);
    await finishedDelivery(t.repos, id, b.webhook.id);
    expect(bodiesOf(receiverB)).toEqual([expect.objectContaining({ integrationId: b.integration.id, data: { externalId: 'B-2', internalId: 'b' } })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bodiesOf(receiverA)).toEqual([expect.objectContaining({ data: { externalId: 'A-2', internalId: 'a' } })]);
    expect(await t.repos.deliveries.listForEvent(a.integration.id, id)).toHaveLength(1);
  });

  it('over REST, an id its integration already used for another event type is a 409 and records nothing', async () => {
    const a = await integrationWithWebhook(t.app, receiverA.url);
    const id = newId('event');
    await publish(t.app, a.integration.id, 'supplier.created', { externalId: 'A-4', internalId: 'a' }, id);
    const res = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: a.integration.id, event: 'sync.completed', data: {}, id });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'conflict', message: expect.stringMatching(/first published as supplier\.created/) });
    expect(await t.repos.events.find(a.integration.id, id)).toMatchObject({ type: 'supplier.created' });
    await finishedDelivery(t.repos, id, a.webhook.id);
    expect(await t.repos.deliveries.listForEvent(a.integration.id, id)).toHaveLength(1);
  });

  it('with the TypeScript publisher: the same id twice for one integration is one event; for two integrations, two', async () => {
    const a = await integrationWithWebhook(t.app, receiverA.url);
    const b = await integrationWithWebhook(t.app, receiverB.url);
    const id = newId('event');
    const { publisher, close } = await producer();
    try {
      const first = await publisher.publish({ id, integrationId: a.integration.id, event: 'sync.completed', data: { rows: 1 } });
      const again = await publisher.publish({ id, integrationId: a.integration.id, event: 'sync.completed', data: { rows: 2 } });
      expect(again).toEqual(first);
      const other = await publisher.publish({ id, integrationId: b.integration.id, event: 'sync.completed', data: { rows: 3 } });
      expect(other).toMatchObject({ id, integrationId: b.integration.id });

      await finishedDelivery(t.repos, id, a.webhook.id);
      await finishedDelivery(t.repos, id, b.webhook.id);
      const afterFinish = await publisher.publish({ id, integrationId: a.integration.id, event: 'sync.completed', data: { rows: 4 } });
      expect(afterFinish).toEqual(first);
    } finally {
      await close();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await t.repos.deliveries.listForEvent(a.integration.id, id)).toHaveLength(1);
    expect(bodiesOf(receiverA)).toEqual([expect.objectContaining({ data: { rows: 1 } })]);
    expect(bodiesOf(receiverB)).toEqual([expect.objectContaining({ integrationId: b.integration.id, data: { rows: 3 } })]);
  });

  it('the fan-out refuses an id its integration already used for another event type', async () => {
    const a = await integrationWithWebhook(t.app, receiverA.url);
    const id = newId('event');
    await publish(t.app, a.integration.id, 'supplier.created', { externalId: 'A-3', internalId: 'a' }, id);
    await finishedDelivery(t.repos, id, a.webhook.id);

    const sender = createHttpSender({ allowPrivateTargets: true, timeoutMs: 1000 });
    const activities = createActivities({ repos: t.repos, sender, client: t.temporal, config: t.config, metrics: createMetrics(), logger: createLogger('silent') });
    const replanned = { id, integrationId: a.integration.id, event: 'sync.completed', data: {}, timestamp: new Date().toISOString() };
    const refusal = await activities.planDeliveries(replanned).catch((err: unknown) => err);
    await sender.close();
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect(refusal).toMatchObject({ nonRetryable: true, type: 'EventIdConflict' });
    expect(await t.repos.deliveries.listForEvent(a.integration.id, id)).toHaveLength(1);
  });
});
