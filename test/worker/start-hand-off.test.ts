import { WorkflowExecutionAlreadyStartedError, type WorkflowClientInterceptor } from '@temporalio/client';
import { allowLocalReceivers, createTestApp, startAnotherWorker, withBearer, type TestApp } from '../helpers/app';
import { integrationWithWebhook, publish } from '../helpers/deliveries';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/wait';

/** Each delivery workflow a worker started, whether it came back eager, and each start Temporal refused as a duplicate. */
function recordStarts() {
  const started: Array<{ workflowId: string; eagerly: boolean }> = [];
  const refused: string[] = [];
  const interceptor: WorkflowClientInterceptor = {
    async startWithDetails(input, next) {
      try {
        const output = await next(input);
        if (input.workflowType === 'deliverEvent') started.push({ workflowId: input.options.workflowId, eagerly: output.eagerlyStarted });
        return output;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) refused.push(input.options.workflowId);
        throw err;
      }
    },
  };
  return { interceptor, started, refused };
}

/** `events` REST publications from 8 publishers at once. */
async function publishMany(t: TestApp, integrationId: string, events: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < events) {
        next++;
        await publish(t.app, integrationId);
      }
    }),
  );
}

describe('deliveries left to the workers (npm run api beside npm run worker)', () => {
  let t: TestApp;
  let receiver: Receiver;
  const starts = recordStarts();
  const otherStarts = recordStarts();
  let otherWorker: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    receiver = await startReceiver(() => 200);
    t = await createTestApp({
      worker: true,
      env: allowLocalReceivers,
      workerClientInterceptors: [starts.interceptor],
      // A sweep a minute apart: what starts within seconds was started on its announcement.
      startSweep: { everyMs: 60_000, graceMs: 30_000 },
    });
  });
  afterAll(async () => {
    await otherWorker?.stop();
    await t.close();
    await receiver.close();
  });

  it('are started by a worker on their publication\'s announcement, eagerly, and arrive', async () => {
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    await publishMany(t, integration.id, 40);
    await waitFor('every delivery received', () => receiver.requests.length >= 40 || undefined, 15_000);
    expect(starts.started).toHaveLength(40);
    expect(starts.started.filter((start) => !start.eagerly)).toHaveLength(0);
    const pending = () => t.repos.db('deliveries').where({ integration_id: integration.id, start_pending: true }).count({ n: '*' });
    await waitFor('every delivery marked started', async () => Number((await pending())[0].n) === 0 || undefined, 10_000);
  });

  it('are each started once by one of the workers listening, each claiming its own', async () => {
    // A second worker, listening and sweeping every 200 ms, races the first for every publication.
    // Their claims last 30 s, as in production: a shorter one can run out while a busy worker is
    // still starting what it claimed, and the other worker then starts those too (refused).
    const startSweep = { everyMs: 200, graceMs: 30_000 };
    otherWorker = await startAnotherWorker(t, { listening: true, clientInterceptors: [otherStarts.interceptor], startSweep });
    starts.started.length = 0;
    const { integration } = await integrationWithWebhook(t.app, receiver.url);
    await withBearer(t.app, integration.token).post('/api/v1/integration/webhook-events', { url: `${receiver.url}/second`, events: ['supplier.created'] }).expect(201);
    const before = receiver.requests.length;
    await publishMany(t, integration.id, 60);
    await waitFor('every delivery received', () => receiver.requests.length - before >= 120 || undefined, 30_000);
    const started = [...starts.started, ...otherStarts.started].map((start) => start.workflowId);
    expect(started).toHaveLength(120);
    expect(new Set(started).size).toBe(120);
    expect([...starts.refused, ...otherStarts.refused]).toEqual([]);
    // Both took part: the claims, not one worker's luck, kept the starts apart.
    expect(otherStarts.started.length).toBeGreaterThan(0);
    expect(starts.started.length).toBeGreaterThan(0);
    // Each delivery's record follows its receipt.
    const recorded = () => t.repos.db('deliveries').where({ integration_id: integration.id, status: 'delivered', start_pending: false }).count({ n: '*' });
    await waitFor('every delivery recorded delivered and started', async () => Number((await recorded())[0].n) === 120 || undefined, 10_000);
  });
});
