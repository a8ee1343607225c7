import { NativeConnection } from '@temporalio/worker';
import { loadProcessConfig, runMain, stopOnSignals } from '../lifecycle';
import { createLogger } from '../logger';
import { createDb } from '../db/knex';
import { createRepositories } from '../db';
import { createSecretBox } from '../db/secret-box';
import { migrateLatest } from '../db/migrate';
import { startWorker } from './worker';

/** `npm run worker`: the Temporal worker alone, on PostgreSQL and an existing Temporal server. */
async function main(): Promise<void> {
  const config = loadProcessConfig('npm run worker');
  const logger = createLogger(config.logLevel);
  const db = createDb({ databaseUrl: config.databaseUrl, logger });
  // Whichever of API and worker starts first brings the schema up to date.
  await migrateLatest(db);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const repos = createRepositories(db, createSecretBox(config.secretEncryptionKey));
  const running = await startWorker({ connection, config, repos });
  logger.info({ taskQueue: config.temporalTaskQueue, namespace: config.temporalNamespace }, 'worker running');
  stopOnSignals(async () => {
    await running.stop();
    await connection.close();
    await db.destroy();
  }, (line) => logger.info(line));
  await running.done;
}

runMain(main);
