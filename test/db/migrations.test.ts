import { migrateLatest, migrateRollbackAll } from '../../src/db/migrate';
import { createTestDb, type TestDb } from '../helpers/db';

const appTables = ['api_rate_limits', 'api_tokens', 'delivery_attempts', 'deliveries', 'events', 'integrations', 'webhooks'];

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(() => t.close());

/** Tables in the schema the connection works in (a fresh one per test file). */
async function tables(): Promise<string[]> {
  const result = await t.db.raw(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  return result.rows.map((row: { table_name: string }) => row.table_name);
}

it('migrates up, down and up again cleanly', async () => {
  expect(await tables()).toEqual([]);

  await migrateLatest(t.db);
  expect(await tables()).toEqual(expect.arrayContaining(appTables));

  await migrateRollbackAll(t.db);
  expect((await tables()).filter((name) => !name.startsWith('knex_migrations'))).toEqual([]);

  await migrateLatest(t.db);
  expect(await tables()).toEqual(expect.arrayContaining(appTables));
  // Running again is a no-op.
  await migrateLatest(t.db);
  const [{ n }] = await t.db('knex_migrations').count({ n: '*' });
  expect(Number(n)).toBe(11);
});
