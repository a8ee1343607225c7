import { NativeConnection } from '@temporalio/worker';
import { workerOperationsApp } from './operations';
import { boundPort, closeServer, listen } from '../http/server';
import { loadProcessConfig, runMain, stopOnSignals } from '../lifecycle';
import { createLogger } from '../logger';
import { openRepositories } from '../db';
import { announcedStartsOn } from '../db/awaiting-starts';
import { startWorker } from './worker';
import { installTemporalLogging } from './runtime';
import { createMetrics } from '../metrics';

/** `npm run worker`: the Temporal worker alone, on PostgreSQL and an existing Temporal server. */
async function main(): Promise<void> {
  const config = loadProcessConfig('npm run worker');
  const logger = createLogger(config.logLevel);
  installTemporalLogging(logger);
  // Whichever of API and worker starts first brings the schema up to date.
  const repos = await openRepositories({ databaseUrl: config.databaseUrl, logger, encryptionKey: config.secretEncryptionKey });
  const { db } = repos;
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const metrics = createMetrics();
  // The API (`npm run api`) leaves published deliveries to the workers and announces them: this
  // worker claims and starts them through its slots, eagerly.
  const announcedStarts = announcedStartsOn({ databaseUrl: config.databaseUrl, db }, logger);
  const running = await startWorker({ connection, config, repos, metrics, logger, announcedStarts });
  // The worker's own metrics and probes, on METRICS_PORT.
  const server = await listen(workerOperationsApp({ connection, config, db, metrics, logger }), config.metricsPort);
  logger.info({ taskQueue: config.temporalTaskQueue, namespace: config.temporalNamespace, metricsPort: boundPort(server) }, 'worker running');
  stopOnSignals(async () => {
    await closeServer(server);
    await running.stop();
    await connection.close();
    await db.destroy();
  }, (line) => logger.info(line));
  await running.done;
}

runMain(main);
