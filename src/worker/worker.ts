import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import { deliverySettings, type Config } from '../config';
import type { Repositories } from '../db';
import { createActivities } from '../activities';
import { createHttpSender, type HttpSenderOptions } from '../activities/http-sender';
import { UnwatchedWorker } from './unwatched-worker';
import { createWorkflowSlots } from './workflow-slots';
import { ensureSearchAttributes } from './search-attributes';
import { bundleWorkflows, prebuiltWorkflowBundle } from './workflow-bundle';
import { defaultStartSweepTiming, sweepDeliveriesAwaitingStart, type StartSweepTiming } from './delivery-start-sweeper';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface WorkerDeps {
  connection: NativeConnection;
  config: Config;
  repos: Repositories;
  /** A pre-built workflow bundle (tests share one); by default the build's, or src/workflows bundled at start. */
  workflowBundle?: WorkflowBundle;
  metrics: Metrics;
  logger: Logger;
  /** Tests only: interceptors for the worker's own client (to see how its starts went). */
  clientInterceptors?: WorkflowClientInterceptor[];
  /** Tests only: a DNS resolver and a test certificate authority for the sender. */
  sender?: Pick<HttpSenderOptions, 'resolve' | 'extraCaCertificate'>;
  /** When the worker starts deliveries their publication left behind; tests shorten it. */
  startSweep?: StartSweepTiming;
  /**
   * Listens for publications announcing deliveries left to the workers (listenForAwaitingStarts,
   * `npm run worker`, `npm start`); each announcement wakes the start sweep, which claims them and
   * starts them on this worker's connection, eagerly, each once the worker has a workflow slot for
   * it (the slots are counted for this).
   */
  announcedStarts?: (wake: () => void) => { close(): Promise<void> };
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped, after shutdown() let in-flight tasks finish. */
  done: Promise<void>;
  /** Stops polling, waits for in-flight tasks, then releases the HTTP connections. */
  stop(): Promise<void>;
}

/**
 * Workflows kept in the worker's cache. The SDK's default grows with the heap limit (about 2,300
 * here), and each cached workflow costs 0.2-0.3 MiB: parked deliveries would grow the RSS.
 */
const cachedWorkflows = 100;

/**
 * Task slots of each kind, named so that the metrics can say how many are free. A delivery's first
 * attempt runs as a local activity inside its workflow task, holding a workflow slot meanwhile: as
 * many workflow slots as local ones (the SDK's 40 would cap attempts in flight below 100).
 */
const taskSlots = { workflow: 100, activity: 100, localActivity: 100 };

/**
 * Workflow slots eager starts leave alone: the pollers reserve one each while they poll (10 by
 * default), and a few go to tasks on their way (a retry's, a health workflow's).
 */
const slotsKeptFromStarts = 15;

/**
 * Given bundle (tests), else the build's prebuilt one, else the source bundled now (`npm start`,
 * tsx), quietly: the bundler's build report is no news to anyone.
 */
async function workflowSource(given: WorkflowBundle | undefined, logger: Logger): Promise<{ workflowBundle: WorkflowBundleOption }> {
  if (given) return { workflowBundle: given };
  const prebuilt = prebuiltWorkflowBundle();
  logger.info({ workflowCode: prebuilt ? prebuilt.codePath : 'bundled from source at start' }, 'workflow code');
  return { workflowBundle: prebuilt ?? (await bundleWorkflows({ warn: (m) => logger.warn(m), error: (m) => logger.error(m) })) };
}

/** Registers the search attributes, then runs the worker for the service's task queue. */
export async function startWorker({
  connection,
  config,
  repos,
  workflowBundle,
  metrics,
  logger,
  sender: senderOptions,
  startSweep = defaultStartSweepTiming,
  announcedStarts,
  clientInterceptors = [],
}: WorkerDeps): Promise<RunningWorker> {
  await ensureSearchAttributes(connection, config.temporalNamespace);
  const client = new Client({ connection, namespace: config.temporalNamespace, interceptors: { workflow: clientInterceptors } });
  // One keep-alive HTTP agent per worker, shared by every attempt.
  const sender = createHttpSender({ allowPrivateTargets: config.allowPrivateTargets, timeoutMs: config.attemptTimeoutMs, ...senderOptions });
  // Counted in JavaScript only where starts wait for them: each reservation then crosses into
  // the event loop, which a worker that starts no deliveries need not pay for.
  const startsHere = announcedStarts !== undefined;
  const workflowSlots = startsHere ? createWorkflowSlots(taskSlots.workflow, slotsKeptFromStarts) : undefined;
  const startGate = workflowSlots?.gate;
  const worker = await UnwatchedWorker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.temporalTaskQueue,
    ...(await workflowSource(workflowBundle, logger)),
    activities: createActivities({ repos, sender, client, config, metrics, logger }),
    // On shutdown, let attempts in flight finish (they are bounded by the attempt timeout).
    shutdownGraceTime: config.attemptTimeoutMs + 5_000,
    // Attempts heartbeat every second; sent at that pace, a cancellation reaches the POST within about a second.
    maxHeartbeatThrottleInterval: '1 second',
    // Deliveries waiting for a retry need no memory: a bounded cache keeps the worker's RSS flat
    // however many are parked (an evicted one is replayed from its short history when it wakes).
    maxCachedWorkflows: cachedWorkflows,
    tuner: {
      workflowTaskSlotSupplier: workflowSlots?.supplier ?? { type: 'fixed-size', numSlots: taskSlots.workflow },
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: taskSlots.activity },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: taskSlots.localActivity },
      // The tuner needs one for Nexus too; the worker serves no Nexus operations.
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
    },
  });
  metrics.watchTaskSlots(() => {
    const status = worker.getStatus();
    return {
      workflow: { max: taskSlots.workflow, used: status.numInFlightWorkflowActivations },
      activity: { max: taskSlots.activity, used: status.numInFlightNonLocalActivities },
      local_activity: { max: taskSlots.localActivity, used: status.numInFlightLocalActivities },
    };
  });
  const settings = deliverySettings(config);
  const sweeper = sweepDeliveriesAwaitingStart({ repos, client, startGate, taskQueue: config.temporalTaskQueue, settings, logger, timing: startSweep });
  const listener = announcedStarts?.(() => sweeper.wake());
  const stopStarting = async () => {
    await listener?.close();
    await sweeper.stop();
  };
  const done = worker
    .run()
    .finally(stopStarting)
    .finally(() => sender.close());
  return {
    worker,
    done,
    stop: async () => {
      await stopStarting();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
