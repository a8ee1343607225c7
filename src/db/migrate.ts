import type { Knex } from 'knex';
import * as initial from './migrations/001-initial';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Migrations in order; listed here rather than globbed so they load the same under tsx, jest and dist. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

const migrationConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest(migrationConfig);
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(migrationConfig, true);
}
