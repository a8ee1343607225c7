import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';

/**
 * A first attempt runs as a local activity inside its workflow task, so it holds a workflow task
 * slot while its receiver answers. Slow receivers must still get as many attempts in flight as
 * the worker's activity slots allow, not the SDK's 40 workflow slots.
 */

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

it('keeps more first attempts in flight than the SDK default of 40 workflow task slots', async () => {
  let inFlight = 0;
  let mostInFlight = 0;
  const answerAfterMs = 3000;
  receiver.reply(() => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    setTimeout(() => inFlight--, answerAfterMs);
    return { status: 204, delayMs: answerAfterMs };
  });
  const { integration } = await integrationWithWebhook(t.app, receiver.url);
  const events = 160;
  for (let published = 0; published < events; published += 20) {
    await Promise.all(Array.from({ length: 20 }, () => publish(t.app, integration.id)));
  }
  await waitFor('every first attempt', () => (receiver.requests.length >= events ? true : undefined), 60_000);
  expect(mostInFlight).toBeGreaterThan(50);
}, 90_000);
