import { createRepositories, type Repositories } from '../../src/db';
import { createSecretBox } from '../../src/db/secret-box';
import { listenForAwaitingStarts, type AwaitingStartListener } from '../../src/db/awaiting-starts';
import { createLogger } from '../../src/logger';
import { createTestDb, type TestDb } from '../helpers/db';
import { waitFor } from '../helpers/wait';

let t: TestDb;
let repos: Repositories;
let listener: AwaitingStartListener | undefined;
beforeAll(async () => {
  t = await createTestDb();
  repos = createRepositories(t.db, createSecretBox(Buffer.alloc(32, 7)));
});
afterAll(async () => {
  await listener?.close();
  await t.close();
});

describe('the workers\' listener for deliveries awaiting their start', () => {
  it('hears each announcement, and, on PostgreSQL, again once its lost connection is made anew', async () => {
    let heard = 0;
    listener = listenForAwaitingStarts({ databaseUrl: process.env.DATABASE_URL, db: t.db }, () => heard++, createLogger('silent'));
    const heardAnnouncement = async (what: string) => {
      const before = heard;
      await waitFor(what, async () => {
        await repos.deliveries.announceAwaitingStart();
        return heard > before || undefined;
      }, 10_000);
    };
    // It listens in the background: announced until it hears one.
    await heardAnnouncement('an announcement heard');
    if (process.env.DATABASE_URL) {
      // Its connection lost (a database restart, a proxy's idle timeout): it connects again, wakes
      // its worker once for what it missed, and hears announcements from then on.
      const reconnected = heard;
      await t.db.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'webhook-delivery start listener'`);
      await waitFor('connected again', () => heard > reconnected || undefined, 10_000);
      await heardAnnouncement('an announcement heard after connecting again');
    }
  });
});
