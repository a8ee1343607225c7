import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/ports';

const root = path.join(__dirname, '..');
let built = false;

/** `npm run build` once per bench run: the production entrypoints run compiled, with the prebuilt workflow bundle. */
export function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** The Node flags `npm run worker` gives the worker (package.json), or BENCH_WORKER_NODE_OPTIONS to try others. */
export function workerNodeFlags(): string[] {
  const given = process.env.BENCH_WORKER_NODE_OPTIONS;
  if (given !== undefined) return given.split(' ').filter(Boolean);
  const script: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.worker;
  return /\bnode ((?:--\S+ )*)dist\/worker\/main\.js/.exec(script)?.[1].split(' ').filter(Boolean) ?? [];
}

/** One of the production entrypoints (`dist/api/server.js`, `dist/worker/main.js`) as a process of its own. */
export function startEntrypoint(entrypoint: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  buildOnce();
  const [flags, script] = entrypoint === 'api' ? [[], 'dist/api/server.js'] : [workerNodeFlags(), 'dist/worker/main.js'];
  return spawn(process.execPath, [...flags, path.join(root, script)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
}

/** The service as it runs in production (docker-compose): `npm run api` and `npm run worker`, each a process of its own. */
export interface ServiceProcesses {
  apiUrl: string;
  pids: number[];
  stop(): Promise<void>;
}

export async function startServiceProcesses(env: NodeJS.ProcessEnv): Promise<ServiceProcesses> {
  const port = await freePort();
  const children = [startEntrypoint('worker', { ...env, METRICS_PORT: '0' }), startEntrypoint('api', { ...env, PORT: String(port) })];
  const apiUrl = `http://127.0.0.1:${port}`;
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
  return { apiUrl, pids: children.map((child) => child.pid!), stop };
}
