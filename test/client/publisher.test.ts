import { Client, Connection } from '@temporalio/client';
import { createPublisher, EventValidationError } from '../../src/client';
import { allowLocalReceivers, createTestApp, startAnotherWorker, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, supplier } from '../helpers/deliveries';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  // No worker yet: the test starts one after the producer has gone.
  t = await createTestApp({ env: allowLocalReceivers });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

/** A producer service: its own Temporal connection and nothing else (no database). */
async function producer() {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  const publisher = createPublisher({ client: new Client({ connection }), taskQueue: t.config.temporalTaskQueue });
  return { publisher, close: () => connection.close() };
}

describe('the TypeScript publisher', () => {
  it('delivers everything acknowledged even though the producer is gone before any worker runs', async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const { publisher, close } = await producer();
    const published = await Promise.all([
      publisher.publish({ integrationId: integration.id, event: 'supplier.created', data: supplier }),
      publisher.publish({ integrationId: integration.id, event: 'sync.completed', data: { records: 12 } }),
    ]);
    await close();
    expect(published[0]).toEqual({ id: expect.stringMatching(/^evt_[0-9A-Za-z]{20,}$/), event: 'supplier.created', integrationId: integration.id, timestamp: expect.any(String) });
    expect(receiver.requests).toHaveLength(0);

    const worker = await startAnotherWorker(t);
    try {
      for (const event of published) expect((await finishedDelivery(t.repos, event.id, webhook.id)).status).toBe('delivered');
    } finally {
      await worker.stop();
    }
    expect(receiver.requests.map((r) => JSON.parse(r.body).event).sort()).toEqual(['supplier.created', 'sync.completed']);
  });

  it('checks data against the catalog, in types and at run time', async () => {
    const { publisher, close } = await producer();
    try {
      await expect(
        // @ts-expect-error internalId is required by the catalog's schema for supplier.created
        publisher.publish({ integrationId: 'int_abcdefghijklmnopqrstuvwx', event: 'supplier.created', data: { externalId: 'V-1' } }),
      ).rejects.toThrow(EventValidationError);
      await expect(
        // @ts-expect-error not an event of the catalog
        publisher.publish({ integrationId: 'int_abcdefghijklmnopqrstuvwx', event: 'supplier.deleted', data: {} }),
      ).rejects.toMatchObject({ issues: [expect.objectContaining({ path: 'event' })] });
    } finally {
      await close();
    }
  });
});
