import { createRepositories, type Repositories } from '../../src/db';
import { createSecretBox } from '../../src/db/secret-box';
import type { DeliveryStarter } from '../../src/db/publications';
import { newId, newWebhookSecret } from '../../src/domain/ids';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
let repos: Repositories;
let integrationId: string;
const box = createSecretBox(Buffer.alloc(32, 7));

beforeEach(async () => {
  // A database of each test's own: a claim takes whatever awaits its start.
  t = await createTestDb();
  repos = createRepositories(t.db, box);
  integrationId = (await repos.integrations.insert({ id: newId('integration'), name: 'Acme' })).id;
  for (const url of ['https://example.com/a', 'https://example.com/b']) {
    await repos.webhooks.insert({ id: newId('webhook'), integrationId, url, events: ['supplier.created'], description: null, secret: newWebhookSecret() });
  }
});
afterEach(() => t.close());

/** One event published to both webhooks: the ids of its two deliveries. */
async function published(startBy: DeliveryStarter, taskQueue = 'webhooks'): Promise<string[]> {
  const event = { id: newId('event'), integrationId, type: 'supplier.created', body: '{}', timestamp: '2026-01-01T00:00:00.000Z' };
  const { deliveries } = await repos.publications.record(event, { startBy, taskQueue });
  return deliveries.map((delivery) => delivery.id).sort();
}

const ids = (claimed: Array<{ id: string }>) => claimed.map((delivery) => delivery.id).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('claiming deliveries awaiting their start', () => {
  it('takes those left to the workers at once, with their target, and no worker again until the claim is up', async () => {
    const left = await published('workers');
    const claimed = await repos.deliveries.claimAwaitingStart('webhooks', 400, 100);
    expect(ids(claimed)).toEqual(left);
    expect(claimed.map((delivery) => delivery.targetUrl).sort()).toEqual(['https://example.com/a', 'https://example.com/b']);
    expect(await repos.deliveries.claimAwaitingStart('webhooks', 400, 100)).toEqual([]);
    // The worker that claimed them did not start them (it died): another takes them once the claim is up.
    await sleep(500);
    expect(ids(await repos.deliveries.claimAwaitingStart('webhooks', 400, 100))).toEqual(left);
  });

  it('leaves an earlier version\'s API its grace to start its own, and takes them after it', async () => {
    // Recorded by an API that started its deliveries itself: awaiting their start, with no claim time.
    const own = await published('workers');
    await t.db('deliveries').whereIn('id', own).update({ start_claimable_at: null });
    expect(await repos.deliveries.claimAwaitingStart('webhooks', 400, 100)).toEqual([]);
    await sleep(500);
    expect(ids(await repos.deliveries.claimAwaitingStart('webhooks', 400, 100))).toEqual(own);
  });

  it("takes only its own task queue's, and those recorded before task queues were", async () => {
    const ours = await published('workers', 'webhooks');
    const theirs = await published('workers', 'webhooks-staging');
    const before = await published('workers', 'webhooks-staging');
    await t.db('deliveries').whereIn('id', before).update({ start_task_queue: null });
    expect(ids(await repos.deliveries.claimAwaitingStart('webhooks', 30_000, 100))).toEqual([...ours, ...before].sort());
    expect(ids(await repos.deliveries.claimAwaitingStart('webhooks-staging', 30_000, 100))).toEqual(theirs);
  });

  it('never takes those a fan-out starts itself, nor those marked started', async () => {
    await published('caller');
    await repos.deliveries.markStarted(await published('workers'));
    expect(await repos.deliveries.claimAwaitingStart('webhooks', 0, 100)).toEqual([]);
  });

  it('gives workers claiming at once each a share of their own', async () => {
    const left = (await Promise.all(Array.from({ length: 20 }, () => published('workers')))).flat();
    const other = t.connectAgain();
    const otherRepos = createRepositories(other, box);
    try {
      const claims = await Promise.all([
        repos.deliveries.claimAwaitingStart('webhooks', 30_000, 15),
        otherRepos.deliveries.claimAwaitingStart('webhooks', 30_000, 15),
        repos.deliveries.claimAwaitingStart('webhooks', 30_000, 15),
      ]);
      const all = claims.flatMap(ids);
      expect(all).toHaveLength(40);
      expect(new Set(all).size).toBe(40);
      expect(all.sort()).toEqual(left.sort());
    } finally {
      if (other !== t.db) await other.destroy();
    }
  });
});
