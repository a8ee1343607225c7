import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config';
import { createActivities, type ActivityDeps } from '../activities';

export interface WorkerDeps extends ActivityDeps {
  connection: NativeConnection;
  config: Pick<Config, 'temporalNamespace' | 'temporalTaskQueue'>;
}

/** The worker for the service's task queue. */
export async function createWorker({ connection, config, ...activityDeps }: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.temporalTaskQueue,
    activities: createActivities(activityDeps),
  });
}
