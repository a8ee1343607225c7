import type { Knex } from 'knex';
import * as initial from './migrations/001-initial';
import * as deliveries from './migrations/002-deliveries';
import * as redeliveries from './migrations/003-redeliveries';
import * as secretRotation from './migrations/004-secret-rotation';
import * as eventsPerIntegration from './migrations/005-events-per-integration';
import * as deliveryStartOutbox from './migrations/006-delivery-start-outbox';
import * as failureReports from './migrations/007-failure-reports';
import * as apiRateLimits from './migrations/008-api-rate-limits';
import * as attemptWaits from './migrations/009-attempt-waits';
import * as deliveryStartClaims from './migrations/010-delivery-start-claims';
import * as deliveryStartTaskQueue from './migrations/011-delivery-start-task-queue';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Migrations in order; listed here rather than globbed so they load the same under tsx, jest and dist. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-deliveries': deliveries,
  '003-redeliveries': redeliveries,
  '004-secret-rotation': secretRotation,
  '005-events-per-integration': eventsPerIntegration,
  '006-delivery-start-outbox': deliveryStartOutbox,
  '007-failure-reports': failureReports,
  '008-api-rate-limits': apiRateLimits,
  '009-attempt-waits': attemptWaits,
  '010-delivery-start-claims': deliveryStartClaims,
  '011-delivery-start-task-queue': deliveryStartTaskQueue,
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

const migrationConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

/** Races between processes migrating at once (several API replicas starting together). */
const isMigrationRace = (err: unknown) =>
  err instanceof Error && /already locked|already exists|duplicate key/.test(err.message);

/** Brings the schema up to date; when another process is migrating, waits for it and tries again. */
export async function migrateLatest(db: Knex, { attempts = 60, waitMs = 500 } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.migrate.latest(migrationConfig);
      return;
    } catch (err) {
      if (attempt >= attempts || !isMigrationRace(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(migrationConfig, true);
}
