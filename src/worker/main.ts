import { NativeConnection } from '@temporalio/worker';
import { loadProcessConfig, runMain, stopOnSignals } from '../lifecycle';
import { createLogger } from '../logger';
import { createDb } from '../db/knex';
import { createRepositories } from '../db';
import { createWorker } from './worker';

/** `npm run worker`: the Temporal worker alone, on PostgreSQL and an existing Temporal server. */
async function main(): Promise<void> {
  const config = loadProcessConfig('npm run worker');
  const logger = createLogger(config.logLevel);
  const db = createDb({ databaseUrl: config.databaseUrl, logger });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createWorker({ connection, config, repos: createRepositories(db) });
  const running = worker.run();
  logger.info({ taskQueue: config.temporalTaskQueue, namespace: config.temporalNamespace }, 'worker running');
  stopOnSignals(async () => {
    // shutdown() stops polling; run() resolves once in-flight tasks have finished.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection.close();
    await db.destroy();
  }, (line) => logger.info(line));
  await running;
}

runMain(main);
