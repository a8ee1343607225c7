import { MessageChannel, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createMetrics, type MetricsSnapshot } from '../metrics';
import { startStandaloneApi, type StandaloneApiConfig } from './standalone';
import type { ApiThreadData, FromApiThread, MetricsAnswer } from './api-thread';

const parent = parentPort!;
const tell = (message: FromApiThread, transfer: MessagePort[] = []) => parent.postMessage(message, transfer);

/** The main thread's metrics (the worker's and the process's), asked for on a channel of their own. */
async function mainThreadMetrics(): Promise<MetricsSnapshot> {
  const { port1, port2 } = new MessageChannel();
  tell({ metricsReply: port2 }, [port2]);
  const [answer] = (await once(port1, 'message')) as [MetricsAnswer];
  port1.close();
  if ('error' in answer) throw new Error(`the worker's metrics could not be read: ${answer.error}`);
  return answer.snapshot;
}

/** The API's thread under `npm start` (api-thread.ts): `npm run api`, stopped by its parent. */
async function main(): Promise<void> {
  const { env, prettyLogs, pgliteSession } = workerData as ApiThreadData;
  // The main thread gave it Temporal's address and the encryption key, and a database: DATABASE_URL or a session of PGlite.
  const config = loadConfig(env) as StandaloneApiConfig;
  const logger = createLogger(config.logLevel, { pretty: prettyLogs });
  const metrics = createMetrics({ processMetrics: false });
  metrics.include(mainThreadMetrics);
  // The main thread opened the database before starting this one: nothing to migrate or encrypt.
  const api = await startStandaloneApi(config, logger, { metrics, databasePrepared: true, pgliteSession });
  parent.on('message', (message) => {
    if (message !== 'stop') return;
    api
      .stop()
      .catch((err) => logger.error({ err }, 'the API did not stop cleanly'))
      .finally(() => parent.close());
  });
  tell({ listening: api.port });
}

// A failure reaches the main thread as this thread's 'error' event.
void main();
