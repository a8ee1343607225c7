import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/knex';
import { freePort } from '../test/helpers/ports';
import { entrypointCommand, type Entrypoint } from '../test/helpers/entrypoint-command';

const root = path.join(__dirname, '..');
let built = false;

/** `npm run build` once per bench run: the production entrypoints run compiled, with the prebuilt workflow bundle. */
export function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/**
 * One of the production entrypoints as a process of its own, as its npm script runs it (the
 * script's variables and Node flags); BENCH_WORKER_NODE_OPTIONS tries other flags on the worker.
 */
export function startEntrypoint(entrypoint: Entrypoint, env: NodeJS.ProcessEnv): ChildProcess {
  buildOnce();
  const command = entrypointCommand(entrypoint);
  const tried = entrypoint === 'worker' ? process.env.BENCH_WORKER_NODE_OPTIONS : undefined;
  const nodeFlags = tried === undefined ? command.nodeFlags : tried.split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeFlags, path.join(root, command.script)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...command.env, ...env },
  });
}

/** The service as it runs in production (docker-compose): `npm run api` and `npm run worker`, each a process of its own. */
export interface ServiceProcesses {
  apiUrl: string;
  pids: number[];
  /** The API's nice value, when it was set (raiseApiPriority). */
  apiNice?: number;
  stop(): Promise<void>;
}

/**
 * docker-compose gives the API 8 times the CPU weight of every other container (`cpu_shares:
 * 8192`), so that a publication's answer does not wait behind the deliveries for a core. The bench
 * runs its processes without containers: the API gets the nice value whose weight is nearest,
 * -9 (7,620 against the default 1,024); BENCH_API_NICE sets another (bench/run.ts). Raising a
 * priority takes root (CAP_SYS_NICE); without it the API runs at the default, and the report says
 * so. On Linux this is the priority of the API's main thread, which handles its requests.
 */
function raiseApiPriority(pid: number, nice: number): number | undefined {
  if (nice === 0) return undefined;
  try {
    os.setPriority(pid, nice);
    return nice;
  } catch (err) {
    // Node's SystemError: the errno's name is in `info`.
    const denied = ['EACCES', 'EPERM'].includes((err as { info?: { code?: string } }).info?.code ?? '');
    if (denied) return undefined;
    throw err;
  }
}

/**
 * The separate processes' own schema of the bench's database, created empty. Not the public schema
 * of `npm start`'s service in the bench's main process: a worker's start sweep claims any delivery
 * left to the workers in its database, so that service's worker would start (and run, on its own
 * task queue) some of the deliveries these processes' API published.
 */
const processesSchema = 'bench_processes';

async function freshSchema(databaseUrl: string): Promise<string> {
  const db = createDb({ databaseUrl, poolMax: 1 });
  try {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [processesSchema]);
    await db.raw('CREATE SCHEMA ??', [processesSchema]);
  } finally {
    await db.destroy();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${processesSchema}`);
  return url.toString();
}

export async function startServiceProcesses(env: NodeJS.ProcessEnv & { DATABASE_URL: string }, apiNice: number): Promise<ServiceProcesses> {
  const port = await freePort();
  const processEnv = { ...env, DATABASE_URL: await freshSchema(env.DATABASE_URL) };
  const children = [startEntrypoint('worker', { ...processEnv, METRICS_PORT: '0' }), startEntrypoint('api', { ...processEnv, PORT: String(port) })];
  const apiUrl = `http://127.0.0.1:${port}`;
  const apiNiceSet = raiseApiPriority(children[1].pid!, apiNice);
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  // Ready once the API answers /readyz (its database and Temporal reachable).
  for (let tries = 0; ; tries++) {
    if (children.some((child) => child.exitCode !== null)) throw new Error('the service processes exited while starting');
    const ready = await fetch(`${apiUrl}/readyz`).then((res) => res.ok, () => false);
    if (ready) break;
    if (tries > 300) {
      await stop();
      throw new Error('the service processes were not ready within a minute');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { apiUrl, pids: children.map((child) => child.pid!), apiNice: apiNiceSet, stop };
}
