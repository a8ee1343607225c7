import path from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Metrics, MetricsSnapshot } from '../metrics';

/** What the API's thread is given: its settings, as `npm run api` reads them from the environment. */
export interface ApiThreadData {
  env: NodeJS.ProcessEnv;
  /** Readable log lines (the main thread's stdout is a terminal; the thread's own stdout says not). */
  prettyLogs: boolean;
}

/** Messages from the API's thread: it listens, or it asks for the main thread's metrics (answered on `metricsReply`). */
export type FromApiThread = { listening: number } | { metricsReply: MessagePort };

/** The main thread's answer on `metricsReply`: its metrics, or why it has none. */
export type MetricsAnswer = { snapshot: MetricsSnapshot } | { error: string };

export interface ApiThread {
  port: number;
  stop(): Promise<void>;
}

/** How long the API's thread may take to stop (its requests in flight finish first). */
const stopWithinMs = 15_000;

/** thread.ts, compiled, or from source (under tsx or jest) through tsx's loader. */
function spawn(data: ApiThreadData): Worker {
  if (__filename.endsWith('.js')) return new Worker(path.join(__dirname, 'thread.js'), { workerData: data });
  const entry = path.join(__dirname, 'thread.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`, { eval: true, workerData: data });
}

async function answerMetrics(metrics: Metrics, reply: MessagePort): Promise<void> {
  const answer: MetricsAnswer = await metrics.registry.getMetricsAsJSON().then(
    (snapshot) => ({ snapshot }),
    (err: Error) => ({ error: err.message }),
  );
  reply.postMessage(answer);
}

/**
 * The API on a thread of its own (`npm start` on PostgreSQL), so that its answers do not wait
 * behind the worker's work on the main thread. Its `/metrics` include `metrics`, the main thread's.
 */
export async function startApiThread(data: ApiThreadData, metrics: Metrics): Promise<ApiThread> {
  const thread = spawn(data);
  // (Not events.once: that would reject on the thread's 'error', which is handled below.)
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    thread.on('message', (message: FromApiThread) => {
      if ('listening' in message) resolve(message.listening);
      else void answerMetrics(metrics, message.metricsReply);
    });
    thread.once('error', reject);
    void exited.then((code) => reject(new Error(`the API's thread stopped (exit code ${code}) before it listened`)));
  });
  // From now on a crash of the API is this process's, as when the API and the worker share a thread.
  thread.on('error', (err) => {
    throw err;
  });
  return {
    port,
    async stop() {
      thread.postMessage('stop');
      // The thread ends once its server, pool and connection are closed; should anything still
      // hold it, it is ended rather than holding the process's stop.
      const stuck = setTimeout(() => void thread.terminate(), stopWithinMs);
      await exited;
      clearTimeout(stuck);
    },
  };
}
