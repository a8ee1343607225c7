import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish, supplier } from '../helpers/deliveries';
import { cutOffDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { workflowIds } from '../../src/domain/workflow-ids';

/** Retries 100, 200 and 300 ms after a failure (the test default); a receiver's Retry-After counts up to 1.5 s. */
const maxRetryAfterMs = 1500;

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: { ...allowLocalReceivers, WEBHOOK_MAX_RETRY_AFTER_MS: String(maxRetryAfterMs) } });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());
afterAll(() => t.close());

/** The receiver answers the first request with `first`, every later one with 200. */
const firstAnswer = (first: { status: number; headers?: Record<string, string> }) => receiver.reply((_, n) => (n === 1 ? first : 200));

/** Publishes one event to a new webhook on the receiver and waits for its delivery to end. */
async function deliverOne() {
  const setup = await integrationWithWebhook(t.app, receiver.url);
  const event = await publish(t.app, setup.integration.id);
  const delivery = await finishedDelivery(t.repos, event.id, setup.webhook.id);
  const attempts = (await setup.api.get(`/api/v1/integration/deliveries/${delivery.id}`).expect(200)).body.attempts;
  return { ...setup, delivery, attempts };
}

/** Milliseconds between the receiver's first and second request. */
const gapBetweenAttempts = () => receiver.requests[1].receivedAt - receiver.requests[0].receivedAt;

/** The durable timers the delivery's workflow started, in ms. */
async function timersOf(workflowId: string): Promise<number[]> {
  const history = await t.temporal.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.filter((e) => e.timerStartedEventAttributes).map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds) * 1000 + e.timerStartedEventAttributes!.startToFireTimeout!.nanos! / 1e6);
}

describe('a receiver asking to slow down (429 or 503 with Retry-After)', () => {
  it('is retried after its Retry-After in seconds, not the scheduled 100 ms, and the attempt log shows the wait', async () => {
    firstAnswer({ status: 429, headers: { 'Retry-After': '1' } });
    const { delivery, attempts } = await deliverOne();
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(gapBetweenAttempts()).toBeGreaterThanOrEqual(1000);
    expect(attempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 429, error: { class: 'http_status', message: 'HTTP 429, Retry-After: 1' }, nextAttemptInMs: 1000 }),
      expect.objectContaining({ attempt: 2, statusCode: 200, nextAttemptInMs: null }),
    ]);
    expect(await timersOf(delivery.workflowId)).toEqual([1000]);
  });

  it('is retried after a Retry-After given as an HTTP date', async () => {
    // HTTP dates have whole seconds: two seconds ahead is at least one second away.
    const inTwoSeconds = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();
    firstAnswer({ status: 503, headers: { 'Retry-After': inTwoSeconds } });
    const { delivery, attempts } = await deliverOne();
    expect(delivery.status).toBe('delivered');
    expect(gapBetweenAttempts()).toBeGreaterThanOrEqual(1000);
    expect(attempts[0].nextAttemptInMs).toBeGreaterThanOrEqual(1000);
    expect(attempts[0].nextAttemptInMs).toBeLessThanOrEqual(maxRetryAfterMs);
  });

  it('waits no longer than WEBHOOK_MAX_RETRY_AFTER_MS, however long the receiver asks for', async () => {
    firstAnswer({ status: 429, headers: { 'Retry-After': '3600' } });
    const { delivery, attempts } = await deliverOne();
    expect(delivery.status).toBe('delivered');
    expect(attempts[0].nextAttemptInMs).toBe(maxRetryAfterMs);
    expect(gapBetweenAttempts()).toBeGreaterThanOrEqual(maxRetryAfterMs);
    expect(gapBetweenAttempts()).toBeLessThan(10_000);
  });

  it.each([
    ['a shorter Retry-After', { status: 429, headers: { 'Retry-After': '0' } }],
    ['a Retry-After on a 500', { status: 500, headers: { 'Retry-After': '3' } }],
    ['an unreadable Retry-After', { status: 503, headers: { 'Retry-After': 'soon' } }],
  ])('keeps the scheduled delay for %s', async (_, first) => {
    firstAnswer(first);
    const { delivery, attempts } = await deliverOne();
    expect(delivery.status).toBe('delivered');
    expect(attempts[0]).toMatchObject({ statusCode: first.status, nextAttemptInMs: 100 });
    expect(await timersOf(delivery.workflowId)).toEqual([100]);
  });

  it('still makes at most 4 attempts', async () => {
    receiver.reply(() => ({ status: 429, headers: { 'Retry-After': '0' } }));
    const { delivery, attempts } = await deliverOne();
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4 });
    expect(attempts.map((a: { nextAttemptInMs: number | null }) => a.nextAttemptInMs)).toEqual([100, 200, 300, null]);
    expect(receiver.requests).toHaveLength(4);
  });

  it('is honoured when the attempt could not record itself and the workflow records it', async () => {
    firstAnswer({ status: 429, headers: { 'Retry-After': '1' } });
    const outage = cutOffDatabase(t.repos.deliveries, 'recordAttempt');
    try {
      const setup = await integrationWithWebhook(t.app, receiver.url);
      const event = await publish(t.app, setup.integration.id);
      await waitFor('the first attempt', () => (receiver.requests.length === 1 ? true : undefined));
      outage.restore();
      const delivery = await finishedDelivery(t.repos, event.id, setup.webhook.id);
      expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 2 });
      const [first] = await t.repos.deliveries.listAttempts(delivery.id);
      expect(first).toMatchObject({ statusCode: 429, nextAttemptInMs: 1000 });
      // The workflow's own retries of the record come first, then the wait the receiver asked for.
      expect((await timersOf(delivery.workflowId)).slice(-1)).toEqual([1000]);
    } finally {
      outage.restore();
    }
  });
});

describe('a receiver answering 410 Gone', () => {
  it('disables the webhook at once (reason "gone") and ends the delivery failed without another attempt', async () => {
    receiver.reply(() => 410);
    const { api, integration, webhook, delivery, attempts } = await deliverOne();
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1 });
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: 410, nextAttemptInMs: null })]);
    const disabled = (await api.get(`/api/v1/integration/webhook-events/${webhook.id}`).expect(200)).body;
    expect(disabled).toMatchObject({ active: false, disabledReason: 'gone', disabledAt: expect.any(String) });
    const { currentDetails } = await t.temporal.workflow.getHandle(delivery.workflowId).query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(currentDetails).toMatch(/^failed on attempt 1: HTTP 410 in \d+ ms \(Gone\); the webhook is disabled, no further attempt$/);
    // Its health workflow counts the failed delivery and says why the webhook is off.
    const health = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    await waitFor('the health workflow to say why', async () => {
      const { currentDetails: details } = await health.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      return details === 'webhook is disabled: its receiver answered 410 Gone; 1 consecutive failed delivery (disables at 10)' ? true : undefined;
    });

    // Nothing more goes to it until it is re-enabled; then deliveries flow again.
    await publish(t.app, integration.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(1);
    receiver.reply(() => 200);
    const enabled = (await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200)).body;
    expect(enabled).toMatchObject({ active: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null });
    const again = await publish(t.app, integration.id);
    expect((await finishedDelivery(t.repos, again.id, webhook.id)).status).toBe('delivered');
  });

  it('makes a delivery still waiting to retry end skipped', async () => {
    // The first event's delivery is told to come back in a second; meanwhile the second's gets 410.
    receiver.reply((request) => (JSON.parse(request.body).data.externalId === 'first' ? { status: 429, headers: { 'Retry-After': '1' } } : 410));
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const first = await publish(t.app, integration.id, 'supplier.created', { ...supplier, externalId: 'first' });
    await waitFor('the first attempt', () => (receiver.requests.length === 1 ? true : undefined));
    const second = await publish(t.app, integration.id, 'supplier.updated', { ...supplier, externalId: 'second' });
    expect((await finishedDelivery(t.repos, second.id, webhook.id)).status).toBe('failed');
    expect((await finishedDelivery(t.repos, first.id, webhook.id)).status).toBe('skipped');
    expect(receiver.requests).toHaveLength(2);
  });

  it('disables the webhook when the attempt could not record itself and the workflow does it', async () => {
    receiver.reply(() => 410);
    const outage = cutOffDatabase(t.repos.webhooks, 'disableGone');
    const setup = await integrationWithWebhook(t.app, receiver.url);
    let eventId: string;
    try {
      eventId = (await publish(t.app, setup.integration.id)).id;
      await waitFor('the attempt', () => (receiver.requests.length === 1 ? true : undefined));
      // Still on: neither the attempt nor (yet) the workflow could turn it off.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await t.repos.webhooks.find(setup.integration.id, setup.webhook.id))?.active).toBe(true);
    } finally {
      outage.restore();
    }
    const webhook = await waitFor('the webhook to be disabled', async () => {
      const found = await t.repos.webhooks.find(setup.integration.id, setup.webhook.id);
      return found?.active === false ? found : undefined;
    });
    expect(webhook.disabledReason).toBe('gone');
    // The workflow disables the webhook first, then records the attempt.
    const delivery = await finishedDelivery(t.repos, eventId, setup.webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1 });
    expect(receiver.requests).toHaveLength(1);
  });
});
