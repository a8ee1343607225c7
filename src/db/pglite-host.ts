import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { servePgliteSessions } from './pglite-sessions';
import type { PgliteThreadData, ToPgliteThread } from './pglite-thread';

const parent = parentPort!;

/** The embedded database's thread (pglite-thread.ts): holds PGlite and serves it to sessions. */
async function main(): Promise<void> {
  const { directory } = workerData as PgliteThreadData;
  const pglite = await PGlite.create(directory);
  const sessions = servePgliteSessions(pglite);
  parent.on('message', (message: ToPgliteThread) => {
    if (message !== 'stop') return sessions.attach(message.session);
    void sessions.close().finally(() => parent.close());
  });
  parent.postMessage('ready');
}

// A failure reaches the main thread as this thread's 'error' event.
void main();
