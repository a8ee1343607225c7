import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freePort } from './helpers/ports';
import { waitFor } from './helpers/wait';

const tsx = path.resolve('node_modules/.bin/tsx');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `script`: TypeScript through tsx, or compiled JavaScript (dist/) with node, as production does. */
function start(script: string, env: NodeJS.ProcessEnv): Started {
  const [command, args] = script.endsWith('.ts') ? [tsx, [script]] : [process.execPath, [script]];
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm run api / npm run worker', () => {
  it.each(['src/api/server.ts', 'src/worker/main.ts'])('%s refuses to start without DATABASE_URL, TEMPORAL_ADDRESS and SECRET_ENCRYPTION_KEY', async (script) => {
    const proc = start(script, { DATABASE_URL: '', TEMPORAL_ADDRESS: '', SECRET_ENCRYPTION_KEY: '' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/DATABASE_URL is required/);
    expect(proc.output()).toMatch(/TEMPORAL_ADDRESS is required/);
    expect(proc.output()).toMatch(/SECRET_ENCRYPTION_KEY is required/);
    expect(proc.output()).toMatch(/npm start/);
  });

  it('stops with a message naming a bad setting', async () => {
    const proc = start('src/api/server.ts', { WEBHOOK_ATTEMPT_TIMEOUT_MS: 'soon' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('WEBHOOK_ATTEMPT_TIMEOUT_MS="soon"');
  });

  // The two halves share a real PostgreSQL; CI always provides one through DATABASE_URL.
  const postgresUrl = process.env.DATABASE_URL;
  if (postgresUrl) {
    it('runs the API and the worker as separate processes, compiled, the worker on the prebuilt workflow bundle; both stop cleanly on SIGTERM', async () => {
      // What `npm run api` and `npm run worker` do first (and the Docker image at build time).
      execFileSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
      const port = await freePort();
      const metricsPort = await freePort();
      const taskQueue = `entrypoints-${Date.now()}`;
      const env = {
        DATABASE_URL: postgresUrl,
        TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
        TEMPORAL_TASK_QUEUE: taskQueue,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        ADMIN_API_KEY: 'separate-processes-admin-key',
        SECRET_ENCRYPTION_KEY: 'dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTMyYnk=',
      };
      const api = start('dist/api/server.js', env);
      const worker = start('dist/worker/main.js', env);
      try {
        const res = await waitFor('the API', async () => {
          const r = await fetch(`http://127.0.0.1:${port}/api/v1/admin/integrations`, {
            method: 'POST',
            headers: { Authorization: 'Bearer separate-processes-admin-key', 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'Two processes' }),
          });
          return r;
        });
        expect(res.status).toBe(201);

        const connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
        try {
          await waitFor('the worker to poll', async () => {
            const described = await connection.workflowService.describeTaskQueue({
              namespace: 'default',
              taskQueue: { name: taskQueue },
              taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            });
            return described.pollers.length > 0 ? true : undefined;
          });
        } finally {
          await connection.close();
        }
        // The worker serves its own metrics and probes.
        const metrics = await waitFor('worker metrics', async () => {
          const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
          return r.status === 200 ? r.text() : undefined;
        });
        expect(metrics).toContain('webhook_deliveries_total');
        expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
        // It loaded the bundle the build made; it did not bundle at start.
        expect(worker.output()).toContain(`"workflowCode":"${path.resolve('dist/workflow-bundle.js')}"`);
      } finally {
        api.child.kill('SIGTERM');
        worker.child.kill('SIGTERM');
      }
      expect(await api.exited).toBe(0);
      expect(await worker.exited).toBe(0);
      // It compiles the project first: on a busy machine that alone can take most of a minute.
    }, 180_000);
  } else {
    it('tells the user they need PostgreSQL: without DATABASE_URL the embedded database serves only `npm start`', async () => {
      const proc = start('src/worker/main.ts', { TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS, DATABASE_URL: '' });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toMatch(/DATABASE_URL is required by `npm run worker`/);
    });
  }
});
