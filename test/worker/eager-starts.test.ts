import type { WorkflowClientInterceptor } from '@temporalio/client';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { createPublisher } from '../../src/client';
import { integrationWithWebhook, publish, supplier } from '../helpers/deliveries';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/wait';

/** Whether each delivery workflow the worker started came back eagerly started. */
function recordStarts() {
  const eagerly: boolean[] = [];
  const interceptor: WorkflowClientInterceptor = {
    async startWithDetails(input, next) {
      const output = await next(input);
      if (input.workflowType === 'deliverEvent') eagerly.push(output.eagerlyStarted);
      return output;
    },
  };
  return { interceptor, eagerly };
}

describe('deliveries the worker starts on its connection (npm start, npm run worker)', () => {
  let t: TestApp;
  let receiver: Receiver;
  const starts = recordStarts();

  beforeAll(async () => {
    // Each answer takes a while, so deliveries hold the worker's workflow slots (their first
    // attempt runs inside their first task) and a burst outnumbers the slots.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 300 }));
    t = await createTestApp({ worker: true, env: allowLocalReceivers, workerClientInterceptors: [starts.interceptor] });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  beforeEach(() => {
    starts.eagerly.length = 0;
    receiver.requests.length = 0;
  });

  /** Every delivery arrived once per attempt: a slow answer's retry is a new attempt, never the same one twice. */
  async function expectEachDeliveredOnce(events: number) {
    const deliveryIds = () => new Set(receiver.requests.map((request) => request.headers['x-webhook-delivery-id']));
    await waitFor('every delivery received', () => deliveryIds().size >= events || undefined, 60_000);
    expect(deliveryIds().size).toBe(events);
    // On a busy machine an answer can outlast the tests' 2 s attempt timeout, and the retry is a
    // new attempt; the same attempt twice would be a duplicate the receiver never asked for.
    const attempts = receiver.requests.map((request) => `${request.headers['x-webhook-delivery-id']}#${request.headers['x-webhook-attempt']}`);
    expect(new Set(attempts).size).toBe(attempts.length);
  }

  it('start eagerly even when a burst outnumbers the worker\'s workflow slots, and all arrive', async () => {
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    const events = 200;
    const publishers = 16;
    let next = 0;
    await Promise.all(
      Array.from({ length: publishers }, async () => {
        while (next < events) {
          next++;
          await publish(t.app, integration.id);
        }
      }),
    );
    await expectEachDeliveredOnce(events);
    expect(starts.eagerly).toHaveLength(events);
    expect(starts.eagerly.filter((eager) => !eager)).toHaveLength(0);
  });

  it("start a TypeScript publisher's deliveries the same way: its publication and fan-out workflows leave them to the worker", async () => {
    // Answers slow enough for the burst's deliveries to fill the worker's slots.
    receiver.reply(() => ({ status: 200, delayMs: 1_500 }));
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    const publisher = createPublisher({ client: t.temporal, taskQueue: t.config.temporalTaskQueue });
    const events = 300;
    // More at once than the server keeps updates in flight: some are published in fan-out workflows.
    await Promise.all(
      Array.from({ length: events }, () => publisher.publish({ integrationId: integration.id, event: 'supplier.created', data: supplier })),
    );
    await expectEachDeliveredOnce(events);
    // Started from a fan-out's activity, they could not wait for a slot, and those the burst found
    // the slots full for would have started without their first task.
    expect(starts.eagerly).toHaveLength(events);
    expect(starts.eagerly.filter((eager) => !eager)).toHaveLength(0);
  });
});
