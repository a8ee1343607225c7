import type { WorkflowHandle } from '@temporalio/client';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';
import { searchAttributes } from '../../src/domain/workflow-definitions';
import { workflowIds } from '../../src/domain/workflow-ids';
import { createPublisher } from '../../src/client';
import { newId } from '../../src/domain/ids';
import { publishSummary } from '../../src/domain/workflow-metadata';

/**
 * Each workflow explains itself in the Temporal Web UI (SPEC "Operators in the Temporal Web UI"):
 * read here through the client as the Web UI reads it, the summary and details by describe() and
 * the current details by the `__temporal_workflow_metadata` query.
 */

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  // A long first wait, to read the delivery while it waits for its retry.
  t = await createTestApp({ worker: true, env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '3000,100', WEBHOOK_DISABLE_AFTER_FAILURES: '2' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

const currentDetails = async (handle: WorkflowHandle) => (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;

/** Waits until the workflow's current details match. */
const detailsMatching = (handle: WorkflowHandle, pattern: RegExp) =>
  waitFor(`current details matching ${pattern}`, async () => {
    const details = await currentDetails(handle);
    return pattern.test(details) ? details : undefined;
  });

const attemptsAttribute = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(searchAttributes.deliveryAttempts);

/** A health workflow's search attributes: its webhook and whether the webhook is active. */
async function webhookAttributes(handle: WorkflowHandle) {
  const attributes = (await handle.describe()).typedSearchAttributes;
  return { webhookId: attributes.get(searchAttributes.webhookId), state: attributes.get(searchAttributes.webhookState) };
}

/** The summaries in the workflow's history, in order: its own (on its start) and its activities' and timers'. */
async function stepSummaries(handle: WorkflowHandle): Promise<string[]> {
  const converter = t.temporal.options.loadedDataConverter.payloadConverter;
  const { events } = await handle.fetchHistory();
  return events!.flatMap((event) => (event.userMetadata?.summary ? [converter.fromPayload<string>(event.userMetadata.summary)] : []));
}

describe('workflows that explain themselves', () => {
  it('a delivery: its summary and details, and where it stands before and after a retry and at the end', async () => {
    // Both attempts take their time: the second is read while it is under way.
    receiver.reply((_req, n) => (n === 1 ? { status: 500, delayMs: 1500 } : { status: 204, delayMs: 1500 }));
    const { integration, webhook } = await integrationWithWebhook(t.app, `${receiver.url}?token=s3cret`);
    const event = await publish(t.app, integration.id, 'supplier.created');
    const delivery = await waitFor('the delivery', async () => (await t.repos.deliveries.listForEvent(integration.id, event.id))[0]);
    const handle = t.temporal.workflow.getHandle(delivery.workflowId);

    // The delivery row is written before its workflow starts (the publication's transaction comes first).
    const described = await waitFor('the delivery workflow', () => handle.describe().catch(() => undefined));
    expect(await described.staticSummary()).toBe(`supplier.created → 127.0.0.1:${receiver.port}/hook`);
    const details = await described.staticDetails();
    expect(details).toContain(`\`${delivery.id}\` of event \`${event.id}\` (\`supplier.created\`)`);
    expect(details).toContain(`- Webhook: \`${webhook.id}\``);
    expect(details).toContain(`- Integration: \`${integration.id}\``);
    expect(details).toContain(`- Target: http://127.0.0.1:${receiver.port}/hook (and a query string, not shown)`);
    expect(details).toContain('- Schedule: up to 3 attempts, retrying 3 s and 100 ms after a failure; 2 s limit per attempt');

    // After the first attempt failed, while it waits. (The first attempt runs inside a workflow
    // task, which answers queries once the attempt is over.)
    await detailsMatching(handle, /^attempt 1 of 3 failed: HTTP 500 in 1(\.\d)? s; attempt 2 at \d\d:\d\d:\d\d UTC$/);
    expect(await attemptsAttribute(handle)).toBe(1);
    // The details, not a stack trace: the worker runs workflows without the promise hook behind
    // the Web UI's stack trace view (UnwatchedWorker), which answers that it is off.
    await expect(handle.query('__stack_trace')).rejects.toThrow('Workflow stack traces are not enabled on this worker');
    // The retry is under way (its receiver takes its time).
    await detailsMatching(handle, /^sending attempt 2 of 3$/);

    expect(await handle.result()).toBe('delivered');
    expect(await currentDetails(handle)).toMatch(/^delivered on attempt 2: HTTP 204 in 1(\.\d)? s$/);
    expect(await attemptsAttribute(handle)).toBe(2);
    expect(await (await handle.describe()).staticSummary()).toBe(`supplier.created → 127.0.0.1:${receiver.port}/hook`);
    expect(await stepSummaries(handle)).toEqual([
      `supplier.created → 127.0.0.1:${receiver.port}/hook`, // the start event's
      'POST attempt 1/3',
      'wait 3 s before attempt 2',
      'POST attempt 2/3',
    ]);
  });

  it('a delivery whose webhook is disabled while it waits ends saying so', async () => {
    receiver.reply(() => 500);
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id, 'supplier.updated');
    const delivery = await waitFor('the delivery', async () => (await t.repos.deliveries.listForEvent(integration.id, event.id))[0]);
    const handle = t.temporal.workflow.getHandle(delivery.workflowId);
    await detailsMatching(handle, /^attempt 1 of 3 failed: HTTP 500/);
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
    expect(await handle.result()).toBe('skipped');
    expect(await currentDetails(handle)).toBe('skipped: webhook disabled');
  });

  it("a webhook's health workflow: its summary, its count and when it disabled the webhook", async () => {
    receiver.reply(() => 500);
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const health = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));

    const first = await publish(t.app, integration.id, 'sync.completed', { n: 1 });
    expect((await finishedDelivery(t.repos, first.id, webhook.id)).status).toBe('failed');
    // The outcome reaches health right after the delivery's record.
    const healthDescribed = await waitFor('the health workflow', () => health.describe().catch(() => undefined));
    expect(await healthDescribed.staticSummary()).toBe(`health of webhook ${webhook.id} (127.0.0.1:${receiver.port})`);
    await detailsMatching(health, /^1 consecutive failed delivery \(disables at 2\)$/);
    expect(await webhookAttributes(health)).toEqual({ webhookId: webhook.id, state: 'active' });

    const second = await publish(t.app, integration.id, 'sync.completed', { n: 2 });
    await finishedDelivery(t.repos, second.id, webhook.id);
    await detailsMatching(health, /^disabled at \d\d:\d\d UTC after 2 consecutive failed deliveries$/);
    expect(await webhookAttributes(health)).toEqual({ webhookId: webhook.id, state: 'disabled' });
    // The operators' query for disabled webhooks (README) finds it.
    await waitFor('the list query to find it', async () => {
      for await (const found of t.temporal.workflow.list({ query: `WorkflowType="webhookHealth" AND WebhookState="disabled" AND WebhookId="${webhook.id}"` })) {
        if (found.workflowId === health.workflowId) return true;
      }
      return undefined;
    });
    const delivery = t.temporal.workflow.getHandle((await t.repos.deliveries.listForEvent(integration.id, second.id))[0].workflowId);
    expect(await currentDetails(delivery)).toMatch(/^failed: all 3 attempts failed, the last: HTTP 500 in \d+ ms$/);

    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200);
    expect(await currentDetails(health)).toBe('0 consecutive failed deliveries (disables at 2)');
    expect(await webhookAttributes(health)).toEqual({ webhookId: webhook.id, state: 'active' });
    await api.delete(`/api/v1/integration/webhook-events/${webhook.id}`).expect(204);
    await health.result();
    expect(await currentDetails(health)).toBe('webhook deleted: no longer watched');
    expect(await (await health.describe()).staticSummary()).toBe(`health of webhook ${webhook.id} (127.0.0.1:${receiver.port})`);
  });

  it("a publication's fan-out: its event and how many webhooks it recorded deliveries to", async () => {
    receiver.reply(() => 204);
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    // As the publisher starts it when the publication workflow does not answer in time.
    const event = { id: newId('event'), integrationId: integration.id, event: 'sync.completed', data: {}, timestamp: new Date().toISOString() };
    const fanOut = await t.temporal.workflow.start('publishEvent', {
      workflowId: workflowIds.publish(integration.id, event.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [event],
      staticSummary: publishSummary(event),
    });
    await fanOut.result();
    expect(await (await fanOut.describe()).staticSummary()).toBe(`publish sync.completed ${event.id} (${integration.id})`);
    expect(await currentDetails(fanOut)).toBe('recorded deliveries to 1 webhook; the workers start them');
  });

  it('the publication workflow: what it is, and how many events its run has recorded', async () => {
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    const publisher = createPublisher({ client: t.temporal, taskQueue: t.config.temporalTaskQueue });
    await publisher.publish({ integrationId: integration.id, event: 'sync.completed', data: {} });
    await publisher.publish({ integrationId: integration.id, event: 'sync.completed', data: {} });
    const publications = t.temporal.workflow.getHandle(workflowIds.publications(t.config.temporalTaskQueue));
    expect(await (await publications.describe()).staticSummary()).toBe('publications of the TypeScript publisher');
    expect(await currentDetails(publications)).toBe('recorded 2 events in this run');
  });
});
