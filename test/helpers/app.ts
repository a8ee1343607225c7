import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { Express } from 'express';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { loadConfig, type Config, type LogLevel } from '../../src/config';
import { createRepositories, type Repositories } from '../../src/db';
import { createSecretBox } from '../../src/db/secret-box';
import { createLogger, type Logger } from '../../src/logger';
import { randomBase62 } from '../../src/domain/ids';
import { startWorker, type RunningWorker, type WorkerDeps } from '../../src/worker/worker';
import type { StartSweepTiming } from '../../src/worker/delivery-start-sweeper';
import { announcedStartsOn } from '../../src/db/awaiting-starts';
import { createMetrics } from '../../src/metrics';
import { createTestDb } from './db';
import type { Db } from '../../src/db/knex';

export const adminKey = 'test-admin-key-0123456789';

export interface TestApp {
  app: Express;
  repos: Repositories;
  config: Config;
  temporal: Client;
  worker?: RunningWorker;
  /** Another knex instance on this app's database (see TestDb.connectAgain). */
  connectAgain(): Db;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Settings as environment variables, over the test defaults. */
  env?: Record<string, string>;
  /** Also run a worker (on a task queue of this app's own) against the real Temporal server. */
  worker?: boolean;
  /** Where the app's and worker's logs go (silent by default). */
  logger?: Logger;
  /** The worker's test-only sender options: a DNS resolver, a test certificate authority. */
  sender?: WorkerDeps['sender'];
  /** Interceptors for the app's Temporal client (to see how its starts went). */
  clientInterceptors?: WorkflowClientInterceptor[];
  /** Interceptors for the worker's own client (to see how the starts it makes went). */
  workerClientInterceptors?: WorkflowClientInterceptor[];
  /** The worker's start sweep, when a test needs it other than every 200 ms with a 500 ms grace. */
  startSweep?: StartSweepTiming;
}

/** Settings that let the service deliver to receivers on 127.0.0.1 over plain http (tests only). */
export const allowLocalReceivers = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_ALLOW_INSECURE_URLS: 'true' };

/** Short delays so retries finish within a test; each test file gets its own task queue. */
const testEnv = {
  ADMIN_API_KEY: adminKey,
  WEBHOOK_RETRY_DELAYS_MS: '100,200,300',
  WEBHOOK_ATTEMPT_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'silent',
  // A test file makes hundreds of requests in seconds as one admin; the rate-limit tests set their own.
  API_RATE_LIMIT_BURST: '100000',
  SECRET_ENCRYPTION_KEY: 'dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTMyYnk=',
};

/** Deliveries a publication left behind are started within a second, not the default 10 to 15 s. */
const testStartSweep = { everyMs: 200, graceMs: 500 };

/**
 * The real app on a real database of its own, with a Temporal client for the test server and,
 * when asked, a worker; driven in-process with supertest.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ ...testEnv, TEMPORAL_TASK_QUEUE: `test-${randomBase62(10)}`, ...options.env });
  // TEST_LOG_LEVEL=debug shows the app's and worker's logs when a test needs explaining.
  const logger = options.logger ?? createLogger((process.env.TEST_LOG_LEVEL as LogLevel) ?? 'silent');
  const metrics = createMetrics();
  const { db, connectAgain, close: closeDb } = await createTestDb();
  const repos = createRepositories(db, createSecretBox(config.secretEncryptionKey!));
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  const connection = await Connection.connect({ address });
  let worker: RunningWorker | undefined;
  let workerConnection: NativeConnection | undefined;
  if (options.worker) {
    workerConnection = await NativeConnection.connect({ address });
    worker = await startWorker({
      connection: workerConnection,
      config,
      repos,
      workflowBundle: testWorkflowBundle(),
      metrics,
      logger,
      sender: options.sender,
      startSweep: options.startSweep ?? testStartSweep,
      // As `npm run worker` and `npm start` run it: told of each publication's deliveries, it claims and starts them.
      announcedStarts: announcedStarts(db, logger),
      clientInterceptors: options.workerClientInterceptors,
    });
  }
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: { workflow: options.clientInterceptors ?? [] },
  });
  const app = buildApp({ config, repos, logger, temporal, metrics });
  return {
    app,
    repos,
    config,
    temporal,
    worker,
    connectAgain,
    close: async () => {
      await worker?.stop();
      await workerConnection?.close();
      await connection.close();
      await closeDb();
    },
  };
}

/** A worker's listener for deliveries left to the workers, on this test's database, as `npm run worker` listens. */
const announcedStarts = (db: Db, logger: Logger) => announcedStartsOn({ databaseUrl: process.env.DATABASE_URL, db }, logger);

/** The workflow bundle global-setup built once for the whole run. */
const testWorkflowBundle = () => ({ code: readFileSync(process.env.WORKFLOW_BUNDLE_PATH!, 'utf8') });

/** Another worker for a test app's task queue (e.g. after its first one stopped); stop() closes it. */
export async function startAnotherWorker(
  t: TestApp,
  { listening = false, clientInterceptors, startSweep = testStartSweep }: { listening?: boolean; clientInterceptors?: WorkflowClientInterceptor[]; startSweep?: StartSweepTiming } = {},
): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  const worker = await startWorker({
    connection,
    config: t.config,
    repos: t.repos,
    workflowBundle: testWorkflowBundle(),
    metrics: createMetrics(),
    logger: createLogger('silent'),
    startSweep,
    clientInterceptors,
    // As `npm run worker`: listening for the deliveries publications leave to the workers.
    ...(listening && { announcedStarts: announcedStarts(t.repos.db, createLogger('silent')) }),
  });
  return {
    stop: async () => {
      await worker.stop();
      await connection.close();
    },
  };
}

/** supertest requests carrying `Authorization: Bearer <token>`. */
export const withBearer = (app: Express, token: string) => ({
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body?: object) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
  patch: (path: string, body?: object) => request(app).patch(path).set('Authorization', `Bearer ${token}`).send(body),
  delete: (path: string) => request(app).delete(path).set('Authorization', `Bearer ${token}`),
});

export const asAdmin = (app: Express) => withBearer(app, adminKey);

/** Creates an integration through the admin API; returns its id and first token. */
export async function createIntegration(app: Express, name = 'Acme ERP'): Promise<{ id: string; token: string; tokenId: string }> {
  const res = await asAdmin(app).post('/api/v1/admin/integrations', { name }).expect(201);
  return { id: res.body.id, token: res.body.token, tokenId: res.body.tokenId };
}
