import { defaultDataDir, loadConfig } from '../config';
import { createDb } from './knex';
import { migrateLatest, migrateRollbackAll } from './migrate';

/** `npm run migrate` (latest) or `npm run migrate -- down` (roll everything back). */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: defaultDataDir() });
  try {
    if (process.argv[2] === 'down') await migrateRollbackAll(db);
    else await migrateLatest(db);
    console.log('migrations done');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
