import { once } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex';
import { remotePglite, servePgliteSessions } from '../../src/db/pglite-sessions';
import { listenForAwaitingStarts } from '../../src/db/awaiting-starts';
import { createLogger } from '../../src/logger';
import { waitFor } from '../helpers/wait';

/*
 * The embedded database as `npm start` serves it to its threads: here both ends on this thread,
 * each session a knex of its own on a MessagePort, as the worker's and the API's are.
 */
let pglite: PGlite;
let served: ReturnType<typeof servePgliteSessions>;
const opened: Knex[] = [];

function sessionAndPort() {
  const { port1, port2 } = new MessageChannel();
  served.attach(port2);
  const db = createDb({ pgliteSession: port1 });
  opened.push(db);
  return { db, port: port1 };
}
const session = (): Knex => sessionAndPort().db;

beforeEach(async () => {
  pglite = await PGlite.create();
  served = servePgliteSessions(pglite);
  await pglite.exec('CREATE TABLE items (name text PRIMARY KEY)');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
  await served.close();
});

const names = async (db: Knex) => (await db('items').orderBy('name').pluck('name')) as string[];

describe('the embedded database served to several threads', () => {
  it('runs another session\'s statements outside an open transaction, so a rollback takes only its own writes', async () => {
    const worker = session();
    const api = session();
    const trx = await worker.transaction();
    await trx('items').insert({ name: 'in the transaction' });
    // Sent while the transaction is open: run after it ends, not inside it.
    const seen = names(api);
    const written = api('items').insert({ name: 'the API\'s' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await trx.rollback();
    expect(await seen).toEqual([]);
    await written;
    expect(await names(worker)).toEqual(["the API's"]);
  });

  it('runs the sessions\' statements in the order they came, so one with many to run does not hold up another', async () => {
    const worker = session();
    const api = session();
    const finished: string[] = [];
    const queued = Array.from({ length: 40 }, (_, i) => worker.raw('SELECT pg_sleep(0.005)').then(() => finished.push(`worker ${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await api.raw('SELECT 1').then(() => finished.push('api'));
    await Promise.all(queued);
    // The worker's knex sends one at a time: the API's comes after the few sent before it arrived.
    expect(finished.indexOf('api')).toBeLessThan(10);
    expect(finished).toHaveLength(41);
  });

  it('gives a statement\'s error with its PostgreSQL fields', async () => {
    const db = session();
    await db('items').insert({ name: 'once' });
    const err: unknown = await db('items')
      .insert({ name: 'once' })
      .then(() => 'inserted twice', (e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', constraint: 'items_pkey', message: expect.stringMatching(/duplicate key/) });
  });

  it('rolls back the open transaction of a session whose thread went away, and serves the others on', async () => {
    const leaving = sessionAndPort();
    const staying = session();
    const trx = await leaving.db.transaction();
    await trx('items').insert({ name: 'never committed' });
    // As when its thread ends: its end of the channel closes, with the transaction open.
    leaving.port.close();
    await staying('items').insert({ name: 'after' });
    expect(await names(staying)).toEqual(['after']);
    await trx.rollback().catch(() => undefined); // (gives its knex's connection back, for afterEach)
  });

  it('tells a listening session of notifications from another', async () => {
    const worker = session();
    const api = session();
    let heard = 0;
    const listener = listenForAwaitingStarts({ db: worker }, () => heard++, createLogger('silent'));
    await waitFor('an announcement heard', async () => {
      await api.raw("SELECT pg_notify('deliveries_awaiting_start', '')");
      return heard > 0 || undefined;
    });
    await listener.close();
  });
});

describe('a session whose thread goes away while its statement runs, its transaction open', () => {
  it('has its transaction rolled back once the statement is done, and the others served on', async () => {
    // A PGlite whose statement 'slow' finishes when told, and opens a transaction.
    const statements: string[] = [];
    let finishSlow!: () => void;
    let inTransaction = false;
    const fake = {
      async query(sql: string) {
        statements.push(sql);
        if (sql === 'slow') await new Promise<void>((resolve) => (finishSlow = resolve));
        inTransaction = sql === 'slow' || (inTransaction && sql !== 'ROLLBACK');
        return { rows: [], fields: [], affectedRows: 0 };
      },
      isInTransaction: () => inTransaction,
      close: async () => undefined,
    };
    const sessions = servePgliteSessions(fake as unknown as PGlite);
    const [leaving, staying] = [new MessageChannel(), new MessageChannel()];
    sessions.attach(leaving.port2);
    sessions.attach(staying.port2);
    const slow = remotePglite(leaving.port1).query('slow').catch(() => 'cut off');
    await waitFor('the slow statement running', () => statements.includes('slow') || undefined);
    leaving.port1.close();
    await once(leaving.port2, 'close');
    finishSlow();
    expect(await slow).toBe('cut off');
    await remotePglite(staying.port1).query('after');
    expect(statements).toEqual(['slow', 'ROLLBACK', 'after']);
    staying.port1.close();
    await sessions.close();
  });
});
