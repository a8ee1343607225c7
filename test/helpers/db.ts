import { createDb, type Db } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { randomBase62 } from '../../src/ids';

export interface TestDb {
  db: Db;
  close(): Promise<void>;
}

/**
 * A database of this test file's own: a fresh schema on the PostgreSQL server named by
 * DATABASE_URL (CI), otherwise an in-memory PGlite. Migrated unless `migrate: false`.
 */
export async function createTestDb({ migrate = true } = {}): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = createDb({});
    if (migrate) await migrateLatest(db);
    return { db, close: () => db.destroy() };
  }
  const schema = `test_${randomBase62(12).toLowerCase()}`;
  const admin = createDb({ databaseUrl: url, poolMax: 1 });
  await admin.raw('CREATE SCHEMA ??', [schema]);
  const db = createDb({ databaseUrl: url, schema, poolMax: 4 });
  if (migrate) await migrateLatest(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await admin.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await admin.destroy();
    },
  };
}
