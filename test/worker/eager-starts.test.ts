import type { WorkflowClientInterceptor } from '@temporalio/client';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { integrationWithWebhook, publish } from '../helpers/deliveries';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/wait';

/** Whether each delivery workflow the app started came back eagerly started. */
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

describe('deliveries started on the worker\'s connection (npm start)', () => {
  let t: TestApp;
  let receiver: Receiver;
  const starts = recordStarts();

  beforeAll(async () => {
    // Each answer takes a while, so deliveries hold the worker's workflow slots (their first
    // attempt runs inside their first task) and a burst outnumbers the slots.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 300 }));
    t = await createTestApp({ worker: true, eagerStarts: true, env: allowLocalReceivers, clientInterceptors: [starts.interceptor] });
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
    await waitFor('every delivery received', () => receiver.requests.length >= events || undefined, 60_000);
    expect(receiver.requests).toHaveLength(events);
    expect(starts.eagerly).toHaveLength(events);
    expect(starts.eagerly.filter((eager) => !eager)).toHaveLength(0);
  });
});
