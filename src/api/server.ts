import { Client, Connection } from '@temporalio/client';
import { loadProcessConfig, runMain, stopOnSignals } from '../lifecycle';
import { createLogger } from '../logger';
import { openRepositories } from '../db';
import { buildApp } from './app';
import { boundPort, closeServer, listen } from '../http/server';

/** `npm run api`: the REST API alone, on PostgreSQL and an existing Temporal server. Runs migrations first. */
async function main(): Promise<void> {
  const config = loadProcessConfig('npm run api');
  const logger = createLogger(config.logLevel);
  const repos = await openRepositories({ databaseUrl: config.databaseUrl, logger, encryptionKey: config.secretEncryptionKey });
  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  // Its deliveries are started by the workers (`npm run worker`), which it tells over the database.
  const server = await listen(buildApp({ config, repos, logger, temporal, publishedStarts: 'workers' }), config.port);
  logger.info({ port: boundPort(server), adminRoutes: Boolean(config.adminApiKey) }, 'API listening');
  if (!config.adminApiKey) logger.warn('ADMIN_API_KEY is unset: admin routes answer 401');
  stopOnSignals(async () => {
    await closeServer(server);
    await connection.close();
    await repos.db.destroy();
  }, (line) => logger.info(line));
}

runMain(main);
