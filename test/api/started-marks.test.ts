import { batchedStartedMarks } from '../../src/api/started-marks';
import { createLogger } from '../../src/logger';
import { asAdmin, createTestApp, type TestApp } from '../helpers/app';
import { integrationWithWebhook, supplier } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';

describe('deliveries marked started in batches', () => {
  afterEach(() => jest.useRealTimers());

  it('writes the marks collected over a second in one statement, and at once when many wait', async () => {
    jest.useFakeTimers();
    const written: string[][] = [];
    const marks = batchedStartedMarks({ markStarted: async (ids) => void written.push(ids) }, createLogger('silent'));
    await marks.markStarted(['del_a']);
    await marks.markStarted(['del_b', 'del_c']);
    expect(written).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(written).toEqual([['del_a', 'del_b', 'del_c']]);

    const many = Array.from({ length: 1_000 }, (_, i) => `del_${i}`);
    await marks.markStarted(many);
    expect(written).toHaveLength(2);
    expect(written[1]).toEqual(many);
    jest.advanceTimersByTime(1_000);
    expect(written).toHaveLength(2);
  });

  it('leaves a mark it could not write to the sweep, without failing the starts', async () => {
    jest.useFakeTimers();
    const warned: unknown[] = [];
    const logger = createLogger('silent');
    logger.warn = ((obj: unknown) => void warned.push(obj)) as typeof logger.warn;
    const marks = batchedStartedMarks({ markStarted: () => Promise.reject(new Error('database away')) }, logger);
    await expect(marks.markStarted(['del_a'])).resolves.toBeUndefined();
    jest.advanceTimersByTime(1_000);
    await jest.runAllTimersAsync();
    expect(warned).toEqual([expect.objectContaining({ deliveries: 1 })]);
  });

  describe('on the real stack', () => {
    let t: TestApp;
    beforeAll(async () => {
      // No worker, so no sweep and no attempt: only the publication itself can clear the mark.
      t = await createTestApp({ env: { WEBHOOK_ALLOW_INSECURE_URLS: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    });
    afterAll(() => t.close());

    it('a REST publication marks the deliveries it started, before their first attempt', async () => {
      const { integration } = await integrationWithWebhook(t.app, 'http://127.0.0.1:9/hook');
      const published = await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'supplier.created', data: supplier }).expect(202);
      const [delivery] = await t.repos.deliveries.listForEvent(integration.id, published.body.id);
      const row = () => t.repos.db('deliveries').where({ id: delivery.id }).first();
      const marked = await waitFor('the publication to mark its delivery started', async () => {
        const current = await row();
        return current.start_pending ? undefined : current;
      }, 10_000);
      expect(marked).toMatchObject({ status: 'pending', attempt_count: 0 });
      expect((await t.temporal.workflow.getHandle(delivery.workflowId).describe()).status.name).toBe('RUNNING');
      await t.temporal.workflow.getHandle(delivery.workflowId).terminate('test over');
    });
  });
});
