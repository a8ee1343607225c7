import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createPublisher, PublicationRefusedError, type PublishedEvent } from '../../src/client';
import { newId } from '../../src/domain/ids';
import { workflowIds } from '../../src/domain/workflow-ids';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, supplier } from '../helpers/deliveries';

let t: TestApp;
let receiver: Receiver;
let connection: Connection;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: allowLocalReceivers });
  receiver = await startReceiver();
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
});
afterAll(async () => {
  await connection.close();
  await receiver.close();
  await t.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

/** A producer service's publisher: a Temporal connection and nothing else. */
const publisher = () => createPublisher({ client: new Client({ connection }), taskQueue: t.config.temporalTaskQueue });
const publicationsId = () => workflowIds.publications(t.config.temporalTaskQueue);

/** Whether the event was published in a workflow of its own (the fallback) rather than by the publication workflow. */
async function hasOwnWorkflow(event: PublishedEvent): Promise<boolean> {
  try {
    await t.temporal.workflow.getHandle(workflowIds.publish(event.integrationId, event.id)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

async function expectEachDeliveredOnce(events: PublishedEvent[], webhookId: string) {
  for (const event of events) expect((await finishedDelivery(t.repos, event.id, webhookId)).status).toBe('delivered');
  for (const event of events) expect(await t.repos.deliveries.listForEvent(event.integrationId, event.id)).toHaveLength(1);
  const received = receiver.requests.map((r) => r.headers['x-webhook-delivery-id']);
  expect(new Set(received).size).toBe(events.length);
}

describe('the publication workflow', () => {
  it('records concurrent publications as updates of one workflow, each delivered once, the same id answered with the first', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const publications = publisher();
    // The first starts the workflow; concurrent first publications race to start it, and those
    // that lose it are published in workflows of their own.
    const events = [await publications.publish({ integrationId: integration.id, event: 'sync.completed', data: { i: 0 } })];
    events.push(
      ...(await Promise.all(
        Array.from({ length: 20 }, (_, i) => publications.publish({ integrationId: integration.id, event: 'sync.completed', data: { i: i + 1 } })),
      )),
    );
    const again = await publications.publish({ id: events[0].id, integrationId: integration.id, event: 'sync.completed', data: { i: 'again' } });

    expect(again).toEqual(events[0]);
    for (const event of events) expect(await hasOwnWorkflow(event)).toBe(false);
    const description = await t.temporal.workflow.getHandle(publicationsId()).describe();
    expect(description).toMatchObject({ type: 'publishEvents', status: { name: 'RUNNING' } });
    await expectEachDeliveredOnce(events, webhook.id);
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.i).sort((a, b) => a - b)).toEqual(events.map((_, i) => i));
  });

  it('refuses for good, recording nothing, an id used before for another event type and an unknown integration', async () => {
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    const publications = publisher();
    const id = newId('event');
    await publications.publish({ id, integrationId: integration.id, event: 'supplier.created', data: supplier });

    const conflict = publications.publish({ id, integrationId: integration.id, event: 'sync.completed', data: {} });
    await expect(conflict).rejects.toThrow(PublicationRefusedError);
    await expect(conflict).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/first published as supplier\.created/) });
    expect(await t.repos.events.find(integration.id, id)).toMatchObject({ type: 'supplier.created' });

    const unknown = newId('integration');
    await expect(publications.publish({ id, integrationId: unknown, event: 'sync.completed', data: {} })).rejects.toMatchObject({ code: 'not_found' });
    expect(await t.repos.events.find(unknown, id)).toBeUndefined();
    expect(await hasOwnWorkflow({ id, integrationId: unknown, event: 'sync.completed', timestamp: '' })).toBe(false);
  });

  it('continues as new after its publications per run, and loses none published meanwhile', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const first = await t.temporal.workflow.start('publishEvents', {
      workflowId: publicationsId(),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ publicationsPerRun: 4 }],
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    });
    const publications = publisher();
    const events = await Promise.all(
      Array.from({ length: 25 }, (_, i) => publications.publish({ integrationId: integration.id, event: 'sync.completed', data: { i } })),
    );

    await expectEachDeliveredOnce(events, webhook.id);
    const firstRun = await t.temporal.workflow.getHandle(publicationsId(), first.firstExecutionRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    const current = await t.temporal.workflow.getHandle(publicationsId()).describe();
    expect(current.runId).not.toBe(first.firstExecutionRunId);
  });
});
