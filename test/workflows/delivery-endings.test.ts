import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, finishedDeliveryById, integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';
import { attemptsRecorded } from '../helpers/history';
import { cutOffDatabase } from '../helpers/db';
import { newId } from '../../src/domain/ids';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  // Attempts may take 20 s, so an attempt ended sooner was ended by its cancellation.
  t = await createTestApp({ worker: true, env: { ...allowLocalReceivers, WEBHOOK_ATTEMPT_TIMEOUT_MS: '20000' } });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());
afterAll(() => t.close());

const attemptsOf = (deliveryId: string) => t.repos.deliveries.listAttempts(deliveryId);
const savedFailures = async (webhookId: string) => (await t.repos.db('webhooks').where({ id: webhookId }).first()).consecutive_failures;

describe('a delivery that can never be made', () => {
  it('ends failed on its first attempt when the secret no longer decrypts, says why, and counts for health', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    // As after SECRET_ENCRYPTION_KEY changed: the stored secret is sealed with another key.
    await t.repos.db('webhooks').where({ id: webhook.id }).update({ secret: 'enc:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA' });
    const event = await publish(t.app, integration.id);
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1 });
    expect(await attemptsOf(delivery.id)).toEqual([
      expect.objectContaining({ attemptNumber: 1, statusCode: null, errorClass: 'undeliverable', errorMessage: expect.stringMatching(/SECRET_ENCRYPTION_KEY/) }),
    ]);
    expect(receiver.requests).toHaveLength(0);
    await waitFor('the failure to be counted', async () => ((await savedFailures(webhook.id)) === 1 ? true : undefined));
  });

  it('ends failed when its delivery row does not exist', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const handle = await t.temporal.workflow.start('deliverEvent', {
      workflowId: `delivery-test-${newId('delivery')}`,
      taskQueue: t.config.temporalTaskQueue,
      args: [{ deliveryId: newId('delivery'), eventId: newId('event'), webhookId: webhook.id, integrationId: integration.id, eventType: 'supplier.created' }],
    });
    expect(await handle.result()).toBe('failed');
    expect(attemptsRecorded((await handle.fetchHistory()).events!)).toBe(1);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('cancelling or terminating a delivery', () => {
  it.each([
    ['cancelled', (id: string) => t.temporal.workflow.getHandle(id).cancel()],
    ['terminated', (id: string) => t.temporal.workflow.getHandle(id).terminate('operator')],
  ] as const)('aborts the POST in flight when %s', async (ending, end) => {
    receiver.reply(() => 'hang');
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id);
    await waitFor('the attempt in flight', () => (receiver.requests.length === 1 ? true : undefined));
    const [delivery] = await t.repos.deliveries.listForEvent(integration.id, event.id);
    await end(delivery.workflowId);

    const [held] = receiver.requests;
    await waitFor('the request to be aborted', () => held.abortedAt);
    // Aborted by the cancellation, not ended by the attempt's own 20 s limit.
    expect(held.abortedAt! - held.receivedAt).toBeLessThan(15_000);
    // A cancelled delivery says so in the delivery log (a terminated one cannot: its workflow is gone).
    if (ending === 'cancelled') expect((await finishedDeliveryById(t.repos, delivery.id)).status).toBe('cancelled');
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('a database outage', () => {
  it('is waited out on a durable timer; the delivery then finishes without a second POST', async () => {
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    const outage = cutOffDatabase(t.repos.deliveries, 'recordAttempt');
    try {
      const event = await publish(t.app, integration.id);
      await waitFor('the attempt', () => (receiver.requests.length === 1 ? true : undefined));
      const [delivery] = await t.repos.deliveries.listForEvent(integration.id, event.id);
      const handle = t.temporal.workflow.getHandle(delivery.workflowId);
      // Past the local activity's own retries, the workflow waits on a timer rather than holding its task.
      await waitFor('a durable wait', async () => ((await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes) ? true : undefined));
      outage.restore();
      expect((await finishedDeliveryById(t.repos, delivery.id)).status).toBe('delivered');
      expect(await attemptsOf(delivery.id)).toEqual([expect.objectContaining({ attemptNumber: 1, statusCode: 200 })]);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      outage.restore();
    }
  });
});
