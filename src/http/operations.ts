import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Metrics } from '../metrics';
import { ApiError } from './errors';

/** How long a readiness probe waits for each dependency. */
const probeTimeoutMs = 3000;

async function probe(name: string, check: () => Promise<unknown>, timeoutMs = probeTimeoutMs): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return undefined;
  } catch (err) {
    return `${name} is unreachable: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process is up), `/readyz` (database and Temporal reachable) and `/metrics`. */
export function operationsRouter({ db, temporal, metrics }: { db: Knex; temporal?: Client; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const problems = await Promise.all([
      probe('database', () => db.raw('SELECT 1')),
      temporal
        ? // The gRPC deadline ends the client's own retries (it can overshoot by a retry), so it
          // comes well before our own limit: no call is left running behind the answer.
          probe(
            'temporal',
            // The client's own namespace: a server that lacks it cannot run a single delivery.
            () =>
              temporal.withDeadline(Date.now() + probeTimeoutMs - 1000, () =>
                temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }),
              ),
            probeTimeoutMs * 2,
          )
        : Promise.resolve(undefined),
    ]);
    const details = ['database', 'temporal']
      .map((path, i) => ({ path, message: problems[i] }))
      .filter((d): d is { path: string; message: string } => d.message !== undefined);
    if (details.length > 0) throw new ApiError('unavailable', 'Not ready: a backing service is unreachable', details);
    res.json({ status: 'ready' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.exposition());
  });
  return router;
}
