import { createRepositories, type Repositories } from '../../src/db';
import { createSecretBox } from '../../src/db/secret-box';
import { EventIdConflictError, UnknownIntegrationError } from '../../src/db/publications';
import type { StoredEvent } from '../../src/db/events';
import { newId, newWebhookSecret } from '../../src/domain/ids';
import { workflowIds } from '../../src/domain/workflow-ids';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
let repos: Repositories;
const box = createSecretBox(Buffer.alloc(32, 7));
beforeAll(async () => {
  t = await createTestDb();
  repos = createRepositories(t.db, box);
});
afterAll(() => t.close());

async function integration(): Promise<string> {
  return (await repos.integrations.insert({ id: newId('integration'), name: 'Acme' })).id;
}

async function webhook(integrationId: string, events = ['supplier.created'], url = `https://example.com/${newId('webhook')}`): Promise<string> {
  return (await repos.webhooks.insert({ id: newId('webhook'), integrationId, url, events, description: null, secret: newWebhookSecret() })).id;
}

function event(integrationId: string, changes: Partial<StoredEvent> = {}): StoredEvent {
  return { id: newId('event'), integrationId, type: 'supplier.created', body: '{"n":1}', timestamp: '2026-01-01T00:00:00.000Z', ...changes };
}

/** In webhook id order as JavaScript sorts (the database's order follows its collation). */
const byWebhook = <T extends { webhookId: string }>(items: T[]) => [...items].sort((x, y) => (x.webhookId < y.webhookId ? -1 : 1));

const deliveryRows = async (integrationId: string, eventId: string) =>
  (await t.db('deliveries').where({ integration_id: integrationId, event_id: eventId })).sort((x, y) => (x.webhook_id < y.webhook_id ? -1 : 1));

describe('publications.record', () => {
  it('stores the event and one pending delivery per active webhook subscribed to it, with its URL', async () => {
    const int = await integration();
    const [a, b] = await Promise.all([webhook(int, ['supplier.created'], 'https://a.example/hook'), webhook(int, ['supplier.created', 'sync.completed'], 'https://b.example/hook')]);
    await webhook(int, ['sync.completed']);
    const inactive = await webhook(int);
    await repos.webhooks.update(int, inactive, { active: false });
    const removed = await webhook(int);
    await repos.webhooks.remove(int, removed);
    await webhook(await integration());
    const published = event(int);

    const { event: stored, deliveries } = await repos.publications.record(published, { startBy: 'workers', taskQueue: 'webhooks' });

    expect(stored).toEqual(published);
    expect(await repos.events.find(int, published.id)).toEqual(published);
    const urls = { [a]: 'https://a.example/hook', [b]: 'https://b.example/hook' };
    const expected = [a, b].sort().map((webhookId) => ({
      id: expect.stringMatching(/^dlv_[0-9A-Za-z]{24}$/),
      workflowId: workflowIds.delivery(int, published.id, webhookId),
      eventId: published.id,
      webhookId,
      integrationId: int,
      eventType: 'supplier.created',
      status: 'pending',
      attemptCount: 0,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
      finishedAt: null,
      redeliveryOf: null,
      targetUrl: urls[webhookId],
    }));
    expect(byWebhook(deliveries)).toEqual(expected);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(2);
    const rows = await deliveryRows(int, published.id);
    expect(rows.map((row) => [row.id, row.start_pending, row.failure_counted])).toEqual(byWebhook(deliveries).map((d) => [d.id, true, false]));
  });

  it('records deliveries not awaiting a start when asked (the fan-out workflow starts them itself)', async () => {
    const int = await integration();
    await webhook(int);
    const published = event(int);
    const { deliveries } = await repos.publications.record(published, { startBy: 'caller', taskQueue: 'webhooks' });
    expect(deliveries).toHaveLength(1);
    expect((await deliveryRows(int, published.id)).map((row) => row.start_pending)).toEqual([false]);
  });

  it('stores an event no webhook subscribes to, with no delivery', async () => {
    const int = await integration();
    await webhook(int, ['sync.completed']);
    const published = event(int);
    expect(await repos.publications.record(published, { startBy: 'workers', taskQueue: 'webhooks' })).toEqual({ event: published, deliveries: [] });
    expect(await repos.events.find(int, published.id)).toEqual(published);
  });

  it('is idempotent: the same id again returns the event as first stored and the deliveries still pending, and adds only what is new', async () => {
    const int = await integration();
    const [a, b] = await Promise.all([webhook(int), webhook(int)]);
    const first = event(int);
    const recorded = await repos.publications.record(first, { startBy: 'caller', taskQueue: 'webhooks' });
    expect(recorded.deliveries).toHaveLength(2);
    const started = recorded.deliveries.find((d) => d.webhookId === a)!;
    await repos.deliveries.setStatus(started.id, 'retrying');
    const later = await webhook(int);

    const again = await repos.publications.record({ ...first, body: '{"n":2}', timestamp: '2026-02-02T00:00:00.000Z' }, { startBy: 'workers', taskQueue: 'webhooks' });

    expect(again.event).toEqual(first);
    expect(await repos.events.find(int, first.id)).toEqual(first);
    const stillPending = recorded.deliveries.find((d) => d.webhookId === b)!;
    expect(byWebhook(again.deliveries).map((d) => d.webhookId)).toEqual([b, later].sort());
    expect(again.deliveries.find((d) => d.webhookId === b)).toEqual(stillPending);
    // Existing rows keep their start flag; the new one takes this publication's.
    const rows = await deliveryRows(int, first.id);
    expect(rows.map((row) => [row.webhook_id, row.start_pending])).toEqual(
      [
        [a, false],
        [b, false],
        [later, true],
      ].sort((x, y) => (x[0] < y[0] ? -1 : 1)),
    );
    expect(rows.find((row) => row.webhook_id === a)).toMatchObject({ id: started.id, status: 'retrying' });

    const thrice = await repos.publications.record(first, { startBy: 'workers', taskQueue: 'webhooks' });
    expect(thrice.event).toEqual(first);
    expect(byWebhook(thrice.deliveries).map((d) => d.id)).toEqual(byWebhook(again.deliveries).map((d) => d.id));
    expect(await deliveryRows(int, first.id)).toHaveLength(3);
  });

  it('refuses an id its integration used for another event type, recording nothing', async () => {
    const int = await integration();
    await webhook(int, ['supplier.created', 'sync.completed']);
    const first = event(int);
    await repos.publications.record(first, { startBy: 'workers', taskQueue: 'webhooks' });
    const before = await deliveryRows(int, first.id);

    const other = { ...first, type: 'sync.completed', body: '{}' };
    const refusal = repos.publications.record(other, { startBy: 'workers', taskQueue: 'webhooks' });
    await expect(refusal).rejects.toThrow(EventIdConflictError);
    await expect(refusal).rejects.toThrow(`event ${first.id} of integration ${int} was first published as supplier.created; not publishing it again as sync.completed`);

    expect(await repos.events.find(int, first.id)).toEqual(first);
    expect(await deliveryRows(int, first.id)).toEqual(before);
  });

  it('takes the same id from another integration as another event', async () => {
    const [one, two] = await Promise.all([integration(), integration()]);
    const [a, b] = await Promise.all([webhook(one), webhook(two, ['sync.completed'])]);
    const first = event(one);
    const second = { ...first, integrationId: two, type: 'sync.completed', body: '{}' };
    expect((await repos.publications.record(first, { startBy: 'workers', taskQueue: 'webhooks' })).deliveries.map((d) => d.webhookId)).toEqual([a]);
    const other = await repos.publications.record(second, { startBy: 'workers', taskQueue: 'webhooks' });
    expect(other.event).toEqual(second);
    expect(other.deliveries.map((d) => [d.webhookId, d.workflowId])).toEqual([[b, workflowIds.delivery(two, first.id, b)]]);
  });

  it('refuses an unknown integration, recording nothing', async () => {
    const published = event('int_doesnotexist00000000000');
    const refusal = repos.publications.record(published, { startBy: 'workers', taskQueue: 'webhooks' });
    await expect(refusal).rejects.toThrow(UnknownIntegrationError);
    await expect(refusal).rejects.toThrow('integration int_doesnotexist00000000000 does not exist');
    expect(await t.db('events').where({ id: published.id })).toEqual([]);
    expect(await t.db('deliveries').where({ event_id: published.id })).toEqual([]);
  });

  it('gives concurrent publications of one id the same event and deliveries (each sees what the other committed)', async () => {
    // On PostgreSQL a second connection pool, so the two statements really overlap.
    const other = t.connectAgain();
    try {
      const otherRepos = createRepositories(other, box);
      const int = await integration();
      await Promise.all([webhook(int), webhook(int), webhook(int)]);
      for (let round = 0; round < 10; round++) {
        const published = event(int);
        const [x, y] = await Promise.all([
          repos.publications.record(published, { startBy: 'workers', taskQueue: 'webhooks' }),
          otherRepos.publications.record({ ...published, timestamp: '2026-03-03T00:00:00.000Z' }, { startBy: 'workers', taskQueue: 'webhooks' }),
        ]);
        expect(x.event).toEqual(y.event);
        expect(x.deliveries.map((d) => d.id)).toEqual(y.deliveries.map((d) => d.id));
        expect(x.deliveries).toHaveLength(3);
        expect(await deliveryRows(int, published.id)).toHaveLength(3);
      }
    } finally {
      if (other !== t.db) await other.destroy();
    }
  });
});
