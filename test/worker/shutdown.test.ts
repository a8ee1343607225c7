import { allowLocalReceivers, createTestApp, startAnotherWorker, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';
import { attemptsRecorded } from '../helpers/history';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: allowLocalReceivers });
  receiver = await startReceiver(() => ({ status: 200, delayMs: 1500 }));
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

it('a worker shutting down finishes the attempt in flight; another worker completes the delivery without repeating it', async () => {
  const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
  const event = await publish(t.app, integration.id);
  await waitFor('the attempt to be in flight', () => (receiver.requests.length === 1 ? true : undefined));

  await t.worker!.stop();
  const delivery = (await t.repos.deliveries.listForEvent(integration.id, event.id))[0];
  // The answer came back while shutting down, and was reported to Temporal.
  const history = await t.temporal.workflow.getHandle(delivery.workflowId).fetchHistory();
  expect(attemptsRecorded(history.events!)).toBe(1);

  const next = await startAnotherWorker(t);
  try {
    const finished = await finishedDelivery(t.repos, event.id, webhook.id);
    expect(finished).toMatchObject({ status: 'delivered', attemptCount: 1 });
    expect(receiver.requests).toHaveLength(1);
  } finally {
    await next.stop();
  }
});
