import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';
import { deliveryOutcomeSignal, healthQuery, type WebhookHealth } from '../../src/domain/workflow-definitions';
import { workflowIds } from '../../src/domain/workflow-ids';
import { newId } from '../../src/domain/ids';
import { WorkflowNotFoundError } from '@temporalio/client';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({
    worker: true,
    env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '10' },
  });
});
beforeEach(async () => {
  receiver = await startReceiver(() => 500);
});
afterEach(() => receiver.close());
afterAll(() => t.close());

/** Publishes one event and waits for its delivery workflow to finish, outcome reported. */
async function deliverOne(integrationId: string, webhookId: string) {
  const event = await publish(t.app, integrationId);
  const delivery = await finishedDelivery(t.repos, event.id, webhookId);
  await t.temporal.workflow.getHandle(delivery.workflowId).result();
  return delivery;
}

const healthOf = (webhookId: string) => t.temporal.workflow.getHandle(workflowIds.health(webhookId)).query(healthQuery);

/** Waits until the workflow's state and the database (what GET shows) both match. */
async function waitForHealth(webhookId: string, expected: Partial<WebhookHealth>) {
  return waitFor(`health ${JSON.stringify(expected)}`, async () => {
    const health = await healthOf(webhookId);
    const row = await t.repos.db('webhooks').where({ id: webhookId }).first();
    const saved = { consecutiveFailures: row.consecutive_failures, disabled: !row.active };
    const matches = (state: WebhookHealth) => Object.entries(expected).every(([k, v]) => state[k as keyof WebhookHealth] === v);
    return matches(health) && matches(saved) ? health : undefined;
  });
}

describe('endpoint health', () => {
  it('disables a webhook after 10 consecutive failed deliveries; then no new delivery starts; re-enabling resets', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const events = await Promise.all(Array.from({ length: 10 }, () => publish(t.app, integration.id)));
    for (const event of events) expect((await finishedDelivery(t.repos, event.id, webhook.id)).status).toBe('failed');

    const disabled = await waitFor('the webhook to be disabled', async () => {
      const res = await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(200);
      return res.body.active === false ? res.body : undefined;
    });
    expect(disabled).toMatchObject({ active: false, disabledReason: 'consecutive_failures', consecutiveFailures: 10 });
    expect(Date.parse(disabled.disabledAt)).not.toBeNaN();
    expect(await healthOf(webhook.id)).toEqual({ consecutiveFailures: 10, disabled: true });

    const requestsBefore = receiver.requests.length;
    // Acknowledged means recorded: a disabled webhook gets no delivery.
    const later = await publish(t.app, integration.id);
    expect(await t.repos.deliveries.listForEvent(integration.id, later.id)).toEqual([]);

    const enabled = await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200);
    expect(enabled.body).toMatchObject({ active: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null });
    expect(await healthOf(webhook.id)).toEqual({ consecutiveFailures: 0, disabled: false });
    expect(receiver.requests.length).toBe(requestsBefore);

    await deliverOne(integration.id, webhook.id);
    await waitForHealth(webhook.id, { consecutiveFailures: 1 });
    expect((await api.get(`/api/v1/integration/webhook-events/${webhook.id}`)).body).toMatchObject({ active: true, consecutiveFailures: 1 });
  });

  it('does not disable after 9 failures, 1 success and 9 failures', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    for (let i = 1; i <= 19; i++) {
      receiver.reply(() => (i === 10 ? 200 : 500));
      const delivery = await deliverOne(integration.id, webhook.id);
      expect(delivery.status).toBe(i === 10 ? 'delivered' : 'failed');
    }
    await waitForHealth(webhook.id, { consecutiveFailures: 9 });
    const res = await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(200);
    expect(res.body).toMatchObject({ active: true, consecutiveFailures: 9, disabledReason: null });
  });

  it('tells the health workflow of a success only when it can change the count: a webhook that never fails has none', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const health = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    receiver.reply(() => 200);
    await deliverOne(integration.id, webhook.id);
    await deliverOne(integration.id, webhook.id);
    await expect(health.describe()).rejects.toThrow(WorkflowNotFoundError);

    receiver.reply(() => 500);
    await deliverOne(integration.id, webhook.id);
    await waitForHealth(webhook.id, { consecutiveFailures: 1 });
    // The count is 1: this success resets it.
    receiver.reply(() => 200);
    await deliverOne(integration.id, webhook.id);
    await waitForHealth(webhook.id, { consecutiveFailures: 0 });
    const signals = async () => (await health.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const before = await signals();
    expect(before).toBe(2);
    // Back to 0 with nothing on its way: further successes change nothing and are not sent.
    await deliverOne(integration.id, webhook.id);
    expect(await signals()).toBe(before);
    expect(await t.repos.db('webhooks').where({ id: webhook.id }).first()).toMatchObject({ failure_reports: 1, failure_reports_handled: 1 });
  });

  it('tells it of a success while a failed delivery is on its way to it, so the count cannot stay behind', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    // As if a failed delivery were recorded and its report not yet handled: the saved count is still 0.
    await t.repos.db('webhooks').where({ id: webhook.id }).increment('failure_reports', 1);
    receiver.reply(() => 200);
    await deliverOne(integration.id, webhook.id);
    const health = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    const signaled = (await health.fetchHistory()).events!.flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e] : []));
    expect(signaled).toHaveLength(1);
  });

  it('counts many concurrent outcomes exactly once each', async () => {
    const { webhook } = await integrationWithWebhook(t.app, receiver.url);
    const deliveryIds = Array.from({ length: 40 }, () => newId('delivery'));
    const signal = (deliveryId: string) =>
      t.temporal.workflow.signalWithStart('webhookHealth', {
        workflowId: workflowIds.health(webhook.id),
        taskQueue: t.config.temporalTaskQueue,
        args: [{ webhookId: webhook.id }],
        signal: deliveryOutcomeSignal,
        signalArgs: [{ deliveryId, delivered: false }],
      });
    // Every outcome at once, and each one reported twice (as a retried activity would).
    await Promise.all([...deliveryIds, ...deliveryIds].map(signal));
    await waitForHealth(webhook.id, { consecutiveFailures: 40, disabled: true });
    const row = await t.repos.db('webhooks').where({ id: webhook.id }).first();
    expect(row).toMatchObject({ consecutive_failures: 40, active: false, disabled_reason: 'consecutive_failures' });
  });

  it('continues as new with its count and memory of counted deliveries intact', async () => {
    const { webhook } = await integrationWithWebhook(t.app, receiver.url);
    const handle = await t.temporal.workflow.start('webhookHealth', {
      workflowId: workflowIds.health(webhook.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id, outcomesPerRun: 3 }],
    });
    const firstRunId = handle.firstExecutionRunId;
    const deliveryIds = Array.from({ length: 7 }, () => newId('delivery'));
    for (const deliveryId of deliveryIds) await handle.signal(deliveryOutcomeSignal, { deliveryId, delivered: false });
    await waitForHealth(webhook.id, { consecutiveFailures: 7 });

    const latest = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    // It continues as new once it has handled its 3 outcomes and the queue is empty.
    await waitFor('continue-as-new', async () => ((await latest.describe()).runId !== firstRunId ? true : undefined));
    const firstRun = t.temporal.workflow.getHandle(workflowIds.health(webhook.id), firstRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    // An outcome counted in an earlier run is still recognised.
    await latest.signal(deliveryOutcomeSignal, { deliveryId: deliveryIds[0], delivered: false });
    await latest.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false });
    await waitForHealth(webhook.id, { consecutiveFailures: 8 });
    await latest.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: true });
    await waitForHealth(webhook.id, { consecutiveFailures: 0 });
  });
});

describe('in-flight deliveries', () => {
  let slow: TestApp;
  beforeAll(async () => {
    slow = await createTestApp({
      worker: true,
      env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '1500,1500,1500' },
    });
  });
  afterAll(() => slow.close());

  it('make no further attempt once the webhook is disabled (skipped)', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(slow.app, receiver.url);
    const event = await publish(slow.app, integration.id);
    await waitFor('the first attempt', () => (receiver.requests.length > 0 ? true : undefined));
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
    const delivery = await finishedDelivery(slow.repos, event.id, webhook.id);
    expect(delivery).toMatchObject({ status: 'skipped', attemptCount: 1 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('are cancelled when the webhook is deleted, and its health workflow ends', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(slow.app, receiver.url);
    // Its health workflow is running (a first failed delivery would have started it).
    await slow.temporal.workflow.start('webhookHealth', {
      workflowId: workflowIds.health(webhook.id),
      taskQueue: slow.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id }],
    });
    receiver.reply(() => 500);

    const event = await publish(slow.app, integration.id);
    await waitFor('the first attempt', () => (receiver.requests.length > 0 ? true : undefined));
    await api.delete(`/api/v1/integration/webhook-events/${webhook.id}`).expect(204);
    const delivery = await finishedDelivery(slow.repos, event.id, webhook.id);
    expect(delivery).toMatchObject({ status: 'cancelled', attemptCount: 1 });
    expect(receiver.requests).toHaveLength(1);
    const health = slow.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    await health.result();
    expect((await health.describe()).status.name).toBe('COMPLETED');
  });
});
