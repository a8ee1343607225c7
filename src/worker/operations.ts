import express, { type Express } from 'express';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Metrics } from '../metrics';
import { operationsRouter } from '../http/operations';
import { errorHandler } from '../http/errors';
import type { Logger } from '../logger';

export interface WorkerOperationsDeps {
  connection: NativeConnection;
  config: Pick<Config, 'temporalNamespace'>;
  db: Knex;
  metrics: Metrics;
  logger: Logger;
}

/** The worker's own /healthz, /readyz and /metrics; /readyz checks the namespace the worker polls. */
export function workerOperationsApp({ connection, config, db, metrics, logger }: WorkerOperationsDeps): Express {
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  // The same JSON error answers as the API's (a 503 from /readyz names what is unreachable).
  return express().use(operationsRouter({ db, temporal, metrics })).use(errorHandler(logger));
}
