import type { MessagePort } from 'node:worker_threads';
import type { Metrics, MetricsSnapshot } from '../metrics';
import { startThread } from '../threads';

/** What the API's thread is given: its settings, as `npm run api` reads them from the environment. */
export interface ApiThreadData {
  env: NodeJS.ProcessEnv;
  /** Readable log lines (the main thread's stdout is a terminal; the thread's own stdout says not). */
  prettyLogs: boolean;
  /** On the embedded PGlite: the API's session of it (its thread's, pglite-thread.ts). */
  pgliteSession?: MessagePort;
}

/** Messages from the API's thread: it listens, or it asks for the main thread's metrics (answered on `metricsReply`). */
export type FromApiThread = { listening: number } | { metricsReply: MessagePort };

/** The main thread's answer on `metricsReply`: its metrics, or why it has none. */
export type MetricsAnswer = { snapshot: MetricsSnapshot } | { error: string };

export interface ApiThread {
  port: number;
  stop(): Promise<void>;
}

async function answerMetrics(metrics: Metrics, reply: MessagePort): Promise<void> {
  const answer: MetricsAnswer = await metrics.registry.getMetricsAsJSON().then(
    (snapshot) => ({ snapshot }),
    (err: Error) => ({ error: err.message }),
  );
  reply.postMessage(answer);
}

/**
 * The API on a thread of its own (`npm start`), so that its answers do not wait behind the
 * worker's work on the main thread. Its `/metrics` include `metrics`, the main thread's.
 */
export async function startApiThread(data: ApiThreadData, metrics: Metrics): Promise<ApiThread> {
  const transferList = data.pgliteSession ? [data.pgliteSession] : [];
  const { ready, stop } = await startThread({ dir: __dirname, name: 'thread', workerData: data, transferList }, (message) => {
    const said = message as FromApiThread;
    if ('metricsReply' in said) void answerMetrics(metrics, said.metricsReply);
    return 'listening' in said ? said.listening : undefined;
  });
  return { port: ready, stop };
}
