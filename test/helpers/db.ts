import { createDb, type Db } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { randomBase62 } from '../../src/domain/ids';

/**
 * What the tests run on, for the run's first line: PostgreSQL named by DATABASE_URL (without its
 * password), otherwise the embedded PGlite. Under CI=true a missing DATABASE_URL is an error, so a
 * CI run can never pass on PGlite by accident.
 */
export function testDatabase(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) {
    if (/^(true|1)$/i.test(env.CI ?? '')) {
      throw new Error(
        'CI=true but DATABASE_URL is not set: CI runs the tests on PostgreSQL, not the embedded PGlite. ' +
          'Set DATABASE_URL=postgres://user:password@host:port/database, as .ci/run does.',
      );
    }
    return 'embedded PGlite (in memory)';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not the URL itself in the message: it may hold a password.
    throw new Error('DATABASE_URL is not a URL like postgres://user:password@host:port/database');
  }
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  return `PostgreSQL at ${host}:${parsed.port || '5432'}/${decodeURIComponent(parsed.pathname.slice(1))}`;
}

export interface TestDb {
  db: Db;
  /**
   * Another knex instance on the same database, as a second process would have one: its own
   * connection pool on PostgreSQL; under in-memory PGlite, which only one instance can open, `db`
   * itself. The caller destroys it (before close()).
   */
  connectAgain(): Db;
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
    return { db, connectAgain: () => db, close: () => db.destroy() };
  }
  const schema = `test_${randomBase62(12).toLowerCase()}`;
  const admin = createDb({ databaseUrl: url, poolMax: 1 });
  await admin.raw('CREATE SCHEMA ??', [schema]);
  const db = createDb({ databaseUrl: url, schema, poolMax: 4 });
  if (migrate) await migrateLatest(db);
  return {
    db,
    connectAgain: () => createDb({ databaseUrl: url, schema, poolMax: 2 }),
    close: async () => {
      await db.destroy();
      await admin.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await admin.destroy();
    },
  };
}

/**
 * Makes one repository method fail the way it does while PostgreSQL is unreachable, until
 * `restore()`: the rest of the database keeps working, so a test can cut exactly one step off.
 */
export function cutOffDatabase<R extends object, K extends keyof R>(repository: R, method: K): { restore(): void } {
  const original = repository[method];
  repository[method] = (async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }) as R[K];
  return { restore: () => void (repository[method] = original) };
}
