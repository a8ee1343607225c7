import { mkdirSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { installTemporalLogging } from './worker/runtime';
import { createMetrics, type Metrics } from './metrics';
import { defaultDataDir, loadConfig, type Config } from './config';
import { runMain, stopOnSignals } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { openRepositories, type Repositories } from './db';
import { startWorker } from './worker/worker';
import { startApiThread } from './api/api-thread';
import { announcedStartsOn } from './db/awaiting-starts';
import { pgliteDirectory } from './db/knex';
import { startPgliteThread, type PgliteThread } from './db/pglite-thread';
import { loadOrCreateAdminKey, loadOrCreateEncryptionKey } from './dev/generated-secrets';
import { startTemporalDevServer, type DevServer } from './dev/temporal-dev-server';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Where embedded defaults keep their files (default ./.data). */
  dataDir?: string;
  /** Ports of the embedded Temporal dev server and its Web UI (defaults 7233 and 8233). */
  temporalPort?: number;
  temporalUiPort?: number;
  print?: (line: string) => void;
  /** Called with the service's logger before anything starts (main routes the SDK's logs to it). */
  onLogger?: (logger: Logger) => void;
}

export interface RunningService {
  apiUrl: string;
  adminApiKey: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  stop(): Promise<void>;
}

/**
 * Everything in one process (`npm start`): Temporal (an embedded dev server unless TEMPORAL_ADDRESS
 * is set), the database (embedded PGlite, on a thread of its own, unless DATABASE_URL is set) with
 * its migrations, the worker, and the API on a thread of its own.
 */
export async function startService(options: StartOptions = {}): Promise<RunningService> {
  const config = loadConfig(options.env ?? process.env);
  const print = options.print ?? ((line: string) => console.log(line));
  const logger = createLogger(config.logLevel);
  options.onLogger?.(logger);
  const dataDir = options.dataDir ?? defaultDataDir();
  mkdirSync(dataDir, { recursive: true });

  const admin = config.adminApiKey ? { value: config.adminApiKey, source: 'from ADMIN_API_KEY' } : loadOrCreateAdminKey(dataDir);
  const encryptionKey = config.secretEncryptionKey ?? loadOrCreateEncryptionKey(dataDir).value;
  const stack: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stack.reverse().splice(0)) await step().catch((err) => logger.error({ err }, 'shutdown step failed'));
  };

  try {
    let embeddedDatabase: PgliteThread | undefined;
    if (!config.databaseUrl) {
      embeddedDatabase = await startPgliteThread({ directory: pgliteDirectory(dataDir) });
      stack.push(() => embeddedDatabase!.stop());
    }
    const repos = await openRepositories({ databaseUrl: config.databaseUrl, pgliteSession: embeddedDatabase?.openSession(), logger, encryptionKey });
    stack.push(() => repos.db.destroy());

    let devServer: DevServer | undefined;
    if (!config.temporalAddress) {
      print('Starting the local Temporal dev server...');
      devServer = await startTemporalDevServer({
        namespace: config.temporalNamespace,
        dataDir,
        port: options.temporalPort ?? 7233,
        uiPort: options.temporalUiPort ?? 8233,
        log: print,
      });
      stack.push(() => devServer!.stop());
    }
    const temporalAddress = config.temporalAddress ?? devServer!.address;

    const connection = await NativeConnection.connect({ address: temporalAddress });
    stack.push(() => connection.close());
    // The Platform UI links to the dev server's Web UI unless TEMPORAL_UI_URL names another.
    const temporalUiUrl = config.temporalUiUrl ?? devServer?.uiUrl;
    const parts: Parts = {
      config: { ...config, adminApiKey: admin.value, temporalUiUrl, temporalAddress, secretEncryptionKey: encryptionKey },
      env: options.env ?? process.env,
      repos,
      connection,
      metrics: createMetrics(),
      logger,
      stack,
    };
    const apiPort = await startWorkerAndApi(parts, embeddedDatabase);
    const apiUrl = `http://localhost:${apiPort}`;

    printBanner(print, { apiUrl, temporalAddress, uiUrl: temporalUiUrl, adminKey: admin.value, adminSource: admin.source, config, dataDir });
    return { apiUrl, adminApiKey: admin.value, temporalAddress, temporalUiUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** What the API and the worker are started with. */
interface Parts {
  config: Config & { adminApiKey: string; temporalAddress: string; secretEncryptionKey: Buffer };
  env: NodeJS.ProcessEnv;
  repos: Repositories;
  connection: NativeConnection;
  metrics: Metrics;
  logger: Logger;
  /** Each part pushes how it stops. */
  stack: Array<() => Promise<void>>;
}

/**
 * As production runs them (`npm run api`, `npm run worker`): the worker on this thread and the API
 * on a thread of its own, so that its answers do not wait behind the worker's work; it leaves the
 * deliveries it publishes to the worker, which it tells over the database. Returns the API's port.
 */
async function startWorkerAndApi({ config, env, repos, metrics, connection, logger, stack }: Parts, embeddedDatabase: PgliteThread | undefined): Promise<number> {
  const announcedStarts = announcedStartsOn({ databaseUrl: config.databaseUrl, db: repos.db }, logger);
  const worker = await startWorker({ connection, config, repos, metrics, logger, announcedStarts });
  stack.push(() => worker.stop());
  // The thread reads its settings as `npm run api` does, with what this process generated or started.
  const apiEnv = {
    ...env,
    ADMIN_API_KEY: config.adminApiKey,
    SECRET_ENCRYPTION_KEY: config.secretEncryptionKey.toString('base64'),
    TEMPORAL_ADDRESS: config.temporalAddress,
    TEMPORAL_UI_URL: config.temporalUiUrl,
  };
  const pgliteSession = embeddedDatabase?.openSession();
  const api = await startApiThread({ env: apiEnv, prettyLogs: process.stdout.isTTY === true, pgliteSession }, metrics);
  stack.push(() => api.stop());
  return api.port;
}

interface BannerFacts {
  apiUrl: string;
  temporalAddress: string;
  uiUrl?: string;
  adminKey: string;
  adminSource: string;
  config: Config;
  dataDir: string;
}

function printBanner(print: (line: string) => void, facts: BannerFacts): void {
  print('');
  print('Webhook delivery service is running.');
  print(`  Platform UI:      ${facts.apiUrl}/`);
  print(`  API:              ${facts.apiUrl}/api/v1 (reference: ${facts.apiUrl}/docs)`);
  print(`  Temporal Web UI:  ${facts.uiUrl ?? '(external Temporal; use its own Web UI)'}`);
  print(`  Temporal:         ${facts.temporalAddress} (namespace ${facts.config.temporalNamespace})`);
  print(`  Database:         ${facts.config.databaseUrl ? 'PostgreSQL from DATABASE_URL' : `embedded PGlite in ${facts.dataDir}`}`);
  print(`  Admin API key:    ${facts.adminKey} (${facts.adminSource})`);
  print('Press Ctrl-C to stop.');
  print('');
}

/** `npm start`: runs until SIGINT/SIGTERM, then stops everything in reverse order. */
async function main(): Promise<void> {
  const service = await startService({ onLogger: installTemporalLogging });
  stopOnSignals(service.stop);
}

if (require.main === module) runMain(main);
