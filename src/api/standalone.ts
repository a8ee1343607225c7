import { Client, Connection } from '@temporalio/client';
import type { ProcessConfig } from '../lifecycle';
import type { Logger } from '../logger';
import { openRepositories } from '../db';
import type { Metrics } from '../metrics';
import { buildApp } from './app';
import { boundPort, closeServer, listen } from '../http/server';

export interface StandaloneApiOptions {
  /** Its metrics (a fresh set by default). */
  metrics?: Metrics;
  /** The database is migrated and its secrets encrypted already (by `npm start`'s main thread). */
  databasePrepared?: boolean;
}

export interface StandaloneApi {
  port: number;
  stop(): Promise<void>;
}

/**
 * The REST API with a database pool and a Temporal connection of its own, leaving the deliveries
 * it publishes to the workers, which it tells over the database: `npm run api`, and the API's own
 * thread under `npm start` on PostgreSQL.
 */
export async function startStandaloneApi(config: ProcessConfig, logger: Logger, { metrics, databasePrepared = false }: StandaloneApiOptions = {}): Promise<StandaloneApi> {
  const repos = await openRepositories({ databaseUrl: config.databaseUrl, logger, encryptionKey: config.secretEncryptionKey, prepared: databasePrepared });
  try {
    const connection = await Connection.connect({ address: config.temporalAddress });
    const temporal = new Client({ connection, namespace: config.temporalNamespace });
    const server = await listen(buildApp({ config, repos, logger, temporal, publishedStarts: 'workers', metrics }), config.port).catch(async (err) => {
      await connection.close();
      throw err;
    });
    return {
      port: boundPort(server),
      async stop() {
        await closeServer(server);
        await connection.close();
        await repos.db.destroy();
      },
    };
  } catch (err) {
    await repos.db.destroy();
    throw err;
  }
}
