import type { WorkflowClientInterceptor } from '@temporalio/client';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { integrationWithWebhook, publish } from '../helpers/deliveries';
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
    const deliveryIds = () => new Set(receiver.requests.map((request) => request.headers['x-webhook-delivery-id']));
    await waitFor('every delivery received', () => deliveryIds().size >= events || undefined, 60_000);
    expect(deliveryIds().size).toBe(events);
    // On a busy machine an answer can outlast the tests' 2 s attempt timeout, and the retry is a
    // new attempt; the same attempt twice would be a duplicate the receiver never asked for.
    const attempts = receiver.requests.map((request) => `${request.headers['x-webhook-delivery-id']}#${request.headers['x-webhook-attempt']}`);
    expect(new Set(attempts).size).toBe(attempts.length);
    expect(starts.eagerly).toHaveLength(events);
    expect(starts.eagerly.filter((eager) => !eager)).toHaveLength(0);
  });
});
