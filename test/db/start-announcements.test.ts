import { coalescedAnnouncements } from '../../src/db/start-announcements';
import { createLogger } from '../../src/logger';
import { asAdmin, createTestApp, type TestApp } from '../helpers/app';
import { integrationWithWebhook, supplier } from '../helpers/deliveries';

/** An announcer whose statements finish when the test says so. */
function heldAnnouncer() {
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  return {
    pending,
    announceAwaitingStart: () => new Promise<void>((resolve, reject) => void pending.push({ resolve, reject })),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('announcing deliveries left to the workers', () => {
  it('sends one statement at a time, and one more after it for the publications answered meanwhile', async () => {
    const announcer = heldAnnouncer();
    const announce = coalescedAnnouncements(announcer, createLogger('silent'));
    announce();
    announce();
    announce();
    expect(announcer.pending).toHaveLength(1);
    announcer.pending[0].resolve();
    await settled();
    expect(announcer.pending).toHaveLength(2);
    announcer.pending[1].resolve();
    await settled();
    expect(announcer.pending).toHaveLength(2);
    announce();
    expect(announcer.pending).toHaveLength(3);
  });

  it('logs one it could not send and sends the next', async () => {
    const announcer = heldAnnouncer();
    const warned: unknown[] = [];
    const logger = createLogger('silent');
    logger.warn = ((obj: unknown) => void warned.push(obj)) as typeof logger.warn;
    const announce = coalescedAnnouncements(announcer, logger);
    announce();
    announcer.pending[0].reject(new Error('database away'));
    await settled();
    expect(warned).toHaveLength(1);
    announce();
    expect(announcer.pending).toHaveLength(2);
  });

  describe('on the real stack', () => {
    let t: TestApp;
    beforeAll(async () => {
      // No worker: what a publication leaves to the workers waits for one, claimable at once.
      t = await createTestApp({ env: { WEBHOOK_ALLOW_INSECURE_URLS: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    });
    afterAll(() => t.close());

    it('a REST publication starts no workflow itself and leaves its deliveries claimable at once', async () => {
      const { integration } = await integrationWithWebhook(t.app, 'http://127.0.0.1:9/hook');
      const published = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'supplier.created', data: supplier }).expect(202);
      const [delivery] = await t.repos.deliveries.listForEvent(integration.id, published.body.id);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await expect(t.temporal.workflow.getHandle(delivery.workflowId).describe()).rejects.toThrow(/not found/i);
      const claimed = await t.repos.deliveries.claimAwaitingStart(t.config.temporalTaskQueue, 30_000, 10);
      expect(claimed.map((d) => d.id)).toEqual([delivery.id]);
    });
  });
});
