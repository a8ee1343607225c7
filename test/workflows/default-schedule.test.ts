import { loadConfig } from '../../src/config';
import { createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';

// The one test on the real schedule: 10 s timeouts and 1 s, 5 s, 30 s waits (about 76 s).
jest.setTimeout(150_000);

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  const defaults = loadConfig({});
  t = await createTestApp({
    worker: true,
    env: {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_ALLOW_INSECURE_URLS: 'true',
      WEBHOOK_RETRY_DELAYS_MS: defaults.retryDelaysMs.join(','),
      WEBHOOK_ATTEMPT_TIMEOUT_MS: String(defaults.attemptTimeoutMs),
    },
  });
  receiver = await startReceiver(() => 'hang');
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

it('gives up on a receiver that never answers after 4 attempts of 10 s, 1 s, 5 s and 30 s apart', async () => {
  expect(t.config.retryDelaysMs).toEqual([1000, 5000, 30000]);
  expect(t.config.attemptTimeoutMs).toBe(10000);
  const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
  const event = await publish(t.app, integration.id);
  const delivery = await finishedDelivery(t.repos, event.id, webhook.id, 140_000);

  expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4 });
  const attempts = await t.repos.deliveries.listAttempts(delivery.id);
  expect(attempts.map((a) => a.errorClass)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
  for (const attempt of attempts) {
    expect(attempt.durationMs).toBeGreaterThanOrEqual(10_000);
    expect(attempt.durationMs).toBeLessThan(12_000);
  }
  const waits = attempts.slice(1).map((a, i) => Date.parse(a.startedAt) - (Date.parse(attempts[i].startedAt) + attempts[i].durationMs));
  [1000, 5000, 30000].forEach((delay, i) => {
    expect(waits[i]).toBeGreaterThanOrEqual(delay - 50);
    expect(waits[i]).toBeLessThan(delay + 3000);
  });
  expect(receiver.requests.map((r) => r.headers['x-webhook-attempt'])).toEqual(['1', '2', '3', '4']);
});
