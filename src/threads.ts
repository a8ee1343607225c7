import path from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';

/** How long a thread may take to stop once asked (what it has in flight finishes first). */
const stopWithinMs = 15_000;

export interface StartedThread<T> {
  thread: Worker;
  /** What the thread said when it was ready. */
  ready: T;
  /** Asks it to stop ('stop'), and ends it if it has not within 15 s. */
  stop(): Promise<void>;
}

/** `dir/name` on a thread: the compiled `.js`, or from source (under tsx or jest) through tsx's loader. */
function spawn(dir: string, name: string, workerData: unknown, transferList: TransferListItem[]): Worker {
  if (__filename.endsWith('.js')) return new Worker(path.join(dir, `${name}.js`), { workerData, transferList });
  // Resolved here: the thread's code is evaluated, and would resolve from the working directory.
  const tsx = JSON.stringify(require.resolve('tsx/cjs/api'));
  const entry = JSON.stringify(path.join(dir, `${name}.ts`));
  return new Worker(`require(${tsx}).register(); require(${entry});`, { eval: true, workerData, transferList });
}

/**
 * Starts `dir/name` on a thread of its own and waits until a message of it says it is ready: the
 * first for which `onMessage`, which sees every message, returns a value. A failure before that
 * rejects; one after is this process's crash, as it would be were the thread's work on the main thread.
 */
export async function startThread<T>(
  { dir, name, workerData, transferList = [] }: { dir: string; name: string; workerData: unknown; transferList?: TransferListItem[] },
  onMessage: (message: unknown) => T | undefined,
): Promise<StartedThread<T>> {
  const thread = spawn(dir, name, workerData, transferList);
  // (Not events.once: that would reject on the thread's 'error', which is handled below.)
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  const ready = await new Promise<T>((resolve, reject) => {
    thread.on('message', (message: unknown) => {
      const value = onMessage(message);
      if (value !== undefined) resolve(value);
    });
    thread.once('error', reject);
    void exited.then((code) => reject(new Error(`the thread ${name} stopped (exit code ${code}) before it was ready`)));
  });
  thread.on('error', (err) => {
    throw err;
  });
  return {
    thread,
    ready,
    async stop() {
      thread.postMessage('stop');
      const stuck = setTimeout(() => void thread.terminate(), stopWithinMs);
      await exited;
      clearTimeout(stuck);
    },
  };
}
