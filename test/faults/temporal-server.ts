import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerArgs, fastSqlitePragmas } from '../../src/dev/temporal-dev-server';
import { ensureTemporalCli } from '../../src/dev/temporal-cli';
import { waitFor } from '../helpers/wait';

export interface TemporalServer {
  address: string;
  /** SIGKILL, as in a crash: the next start finds only what its data file holds. */
  kill(): Promise<void>;
}

/**
 * A Temporal dev server on `port` keeping its state in <dir>/temporal.db, with the pragmas `npm start`
 * uses; its output goes to <dir>/temporal.log. Started here rather than through the SDK's test
 * environment so that a restart's expected complaints stay out of the run's output.
 */
export async function startTemporalServer(dir: string, port: number): Promise<TemporalServer> {
  const cli = await ensureTemporalCli((line) => console.log(line));
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'warn'];
  const child = spawn(cli, [...args, ...devServerArgs(fastSqlitePragmas)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(path.join(dir, 'temporal.log'), { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const address = `127.0.0.1:${port}`;
  try {
    await waitFor(`the Temporal dev server on ${address}`, () => serves(address), 60_000);
  } catch (err) {
    await kill();
    throw err;
  }
  return { address, kill };
}

/** True once the server answers for its default namespace. */
async function serves(address: string): Promise<true> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } finally {
    await connection.close();
  }
}
