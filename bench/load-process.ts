import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LoadCommand, LoadReply } from './load';
import type { ScenarioRequest, Timings } from './scenarios';
import type { SideName, Targets } from './sides';

/** The load process (bench/load.ts), seen from the bench's main process. */
export interface LoadProcess {
  pid: number;
  /** The receiver's URL, and one it always answers 500. */
  url: string;
  failingUrl: string;
  run(side: SideName, request: ScenarioRequest): Promise<Timings>;
  close(): Promise<void>;
}

/** Starts the load process (with tsx, as the bench runs) and waits until its receiver listens. */
export async function startLoadProcess(targets: Targets): Promise<LoadProcess> {
  const child: ChildProcess = fork(path.join(__dirname, 'load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_LOAD_TARGETS: JSON.stringify(targets) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = () =>
    new Promise<LoadReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bench's load process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply: LoadReply) => {
        child.off('exit', onExit);
        resolve(reply);
      });
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`the load process answered ${ready.type} before it was ready`);
  return {
    pid: child.pid!,
    url: ready.url,
    failingUrl: ready.failingUrl,
    async run(side, request) {
      const reply = next();
      child.send({ type: 'run', side, request } satisfies LoadCommand);
      const answer = await reply;
      if (answer.type === 'failed') throw new Error(answer.message);
      if (answer.type !== 'done') throw new Error(`the load process answered ${answer.type}`);
      return answer.timings;
    },
    async close() {
      if (child.exitCode === null) child.send({ type: 'close' } satisfies LoadCommand);
      await exited;
    },
  };
}
