import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { startThread } from '../threads';

/** What the embedded database's thread is given. */
export interface PgliteThreadData {
  /** Where the database keeps its files (knex.ts's pgliteDirectory); none means in memory. */
  directory?: string;
}

/** Messages to the thread: a session to serve, or 'stop' (once every session has closed). */
export type ToPgliteThread = { session: MessagePort } | 'stop';

export interface PgliteThread {
  /** A session of the database for one thread's knex (`createDb({ pgliteSession })`). */
  openSession(): MessagePort;
  /** Closes the database (its files written), once its sessions have closed. */
  stop(): Promise<void>;
}

/**
 * The embedded PGlite on a thread of its own (`npm start` without DATABASE_URL), served to the
 * worker's and the API's threads: its statements, run by WebAssembly on the thread that holds it,
 * no longer hold up the worker's or the API's event loop.
 */
export async function startPgliteThread(data: PgliteThreadData): Promise<PgliteThread> {
  const { thread, stop } = await startThread({ dir: __dirname, name: 'pglite-host', workerData: data }, (message) => (message === 'ready' ? true : undefined));
  return {
    openSession() {
      const { port1, port2 } = new MessageChannel();
      thread.postMessage({ session: port2 } satisfies ToPgliteThread, [port2]);
      return port1;
    },
    stop,
  };
}
