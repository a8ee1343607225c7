import type { MessagePort } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
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
  /** Under `npm start` without DATABASE_URL: the API's session of the embedded database, served by its thread. */
  pgliteSession?: MessagePort;
}

/** What the API needs to be told: `npm run api` requires each (lifecycle.ts's loadProcessConfig). */
export type StandaloneApiConfig = Config & { temporalAddress: string; secretEncryptionKey: Buffer };

export interface StandaloneApi {
  port: number;
  stop(): Promise<void>;
}

/**
 * The REST API with a database pool and a Temporal connection of its own, leaving the deliveries
 * it publishes to the workers, which it tells over the database: `npm run api`, and the API's own
 * thread under `npm start`.
 */
export async function startStandaloneApi(config: StandaloneApiConfig, logger: Logger, options: StandaloneApiOptions = {}): Promise<StandaloneApi> {
  const { metrics, databasePrepared = false, pgliteSession } = options;
  const database = { databaseUrl: config.databaseUrl, pgliteSession };
  const repos = await openRepositories({ ...database, logger, encryptionKey: config.secretEncryptionKey, prepared: databasePrepared });
  try {
    const connection = await Connection.connect({ address: config.temporalAddress });
    const temporal = new Client({ connection, namespace: config.temporalNamespace });
    const server = await listen(buildApp({ config, repos, logger, temporal, metrics }), config.port).catch(async (err) => {
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
