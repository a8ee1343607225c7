import { mkdirSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { installTemporalLogging } from './worker/runtime';
import { createMetrics } from './metrics';
import { defaultDataDir, loadConfig, type Config } from './config';
import { runMain, stopOnSignals } from './lifecycle';
import { boundPort, closeServer, listen } from './http/server';
import { createLogger, type Logger } from './logger';
import { openRepositories } from './db';
import { buildApp } from './api/app';
import { startWorker } from './worker/worker';
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
 * is set), the database (embedded PGlite unless DATABASE_URL is set) with its migrations, the worker
 * and the API.
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
    const repos = await openRepositories({ databaseUrl: config.databaseUrl, dataDir, logger, encryptionKey });
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
    const metrics = createMetrics();
    const worker = await startWorker({ connection, config, repos, metrics, logger, gateEagerStarts: true });
    stack.push(() => worker.stop());

    // On the worker's connection: deliveries published over REST start eagerly (see DeliveryStartTarget).
    const temporal = new Client({ connection, namespace: config.temporalNamespace });
    // The Platform UI links to the dev server's Web UI unless TEMPORAL_UI_URL names another.
    const temporalUiUrl = config.temporalUiUrl ?? devServer?.uiUrl;
    const app = buildApp({ config: { ...config, adminApiKey: admin.value, temporalUiUrl }, repos, logger, temporal, eagerStarts: worker.startGate, metrics });
    const server = await listen(app, config.port);
    stack.push(() => closeServer(server));
    const apiUrl = `http://localhost:${boundPort(server)}`;

    printBanner(print, { apiUrl, temporalAddress, uiUrl: temporalUiUrl, adminKey: admin.value, adminSource: admin.source, config, dataDir });
    return { apiUrl, adminApiKey: admin.value, temporalAddress, temporalUiUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
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
