import { loadProcessConfig, runMain, stopOnSignals } from '../lifecycle';
import { createLogger } from '../logger';
import { startStandaloneApi } from './standalone';

/** `npm run api`: the REST API alone, on PostgreSQL and an existing Temporal server. Runs migrations first. */
async function main(): Promise<void> {
  const config = loadProcessConfig('npm run api');
  const logger = createLogger(config.logLevel);
  // Its deliveries are started by the workers (`npm run worker`), which it tells over the database.
  const api = await startStandaloneApi(config, logger);
  logger.info({ port: api.port, adminRoutes: Boolean(config.adminApiKey) }, 'API listening');
  if (!config.adminApiKey) logger.warn('ADMIN_API_KEY is unset: admin routes answer 401');
  stopOnSignals(api.stop, (line) => logger.info(line));
}

runMain(main);
