import type { Client } from '@temporalio/client';
import type { Repositories } from '../db';
import type { DeliveryAwaitingStart } from '../db/deliveries';
import type { Logger } from '../logger';
import { startRecordedDeliveries, type StartGate } from '../client/delivery-workflows';
import type { DeliverySettings } from '../domain/workflow-definitions';
import { coalescedRuns } from '../domain/coalesced-runs';

export interface StartSweepTiming {
  /** How often the worker looks for deliveries left behind. */
  everyMs: number;
  /**
   * How long a worker's claim on the deliveries it starts keeps other workers away (and how long an
   * earlier version's API had to start its own deliveries before a worker stepped in).
   */
  graceMs: number;
}

/** A publication starting a large fan-out under load may take a while; the sweep leaves it that long. */
export const defaultStartSweepTiming: StartSweepTiming = { everyMs: 5_000, graceMs: 30_000 };

const batchSize = 200;

export interface StartSweepDeps {
  repos: Repositories;
  client: Client;
  /** The worker's, when it counts its slots: its starts then wait for one. */
  startGate?: StartGate;
  taskQueue: string;
  settings: DeliverySettings;
  logger: Logger;
  timing: StartSweepTiming;
}

/**
 * Starts the delivery workflows a publication recorded and left to the workers of its task queue
 * (a REST publication, or the TypeScript publisher's publication or fan-out workflow): at once
 * when woken (its announcement: listenForAwaitingStarts), and, on its timer, those a worker
 * claimed and did not get to start (it died, or Temporal was away). That is what makes an
 * acknowledged publication durable. Each pass claims what it starts (claimAwaitingStart), so
 * workers sharing the database do not start the same deliveries; a second start of one is
 * refused by its workflow id all the same.
 */
export function sweepDeliveriesAwaitingStart({ repos, client, startGate, taskQueue, settings, logger, timing }: StartSweepDeps) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function sweepOnce(): Promise<void> {
    for (;;) {
      const awaiting = await repos.deliveries.claimAwaitingStart(taskQueue, timing.graceMs, batchSize);
      // A delivery that has made an attempt or changed status was started: only its mark was lost
      // (rows from before a delivery's first record cleared its mark).
      // One with neither may still have started (its first attempt in flight): Temporal refuses that start.
      const isUnstarted = (delivery: DeliveryAwaitingStart) => delivery.status === 'pending' && delivery.attemptCount === 0;
      const unstarted = awaiting.filter(isUnstarted);
      await repos.deliveries.markStarted(awaiting.filter((delivery) => !isUnstarted(delivery)).map((delivery) => delivery.id));
      // Marked as they start.
      // The worker's own client: its connection is the worker's, so the deliveries start eagerly.
      await startRecordedDeliveries({ client, taskQueue, eagerStart: true, gate: startGate, deliveries: repos.deliveries }, unstarted, settings);
      // Past their grace: the worker that claimed them (or an earlier version's API) did not start them.
      const leftBehind = unstarted.filter((delivery) => Date.now() - delivery.createdAt.getTime() >= timing.graceMs).length;
      if (leftBehind > 0) logger.info({ deliveries: leftBehind }, 'started deliveries their publication left behind (those started already are refused)');
      if (awaiting.length < batchSize || stopped) return;
    }
  }

  // One pass at a time; a wake during one asks for another right after it; then the next after `everyMs`.
  const passes = coalescedRuns(
    async () => {
      if (stopped) return;
      await sweepOnce().catch((err: unknown) => logger.warn({ err }, 'could not start the deliveries left behind; trying again'));
    },
    () => {
      if (!stopped) timer = setTimeout(pass, timing.everyMs);
    },
  );
  const pass = () => {
    clearTimeout(timer);
    passes.request();
  };
  timer = setTimeout(pass, timing.everyMs);

  return {
    /** Deliveries were announced: a pass now (or right after the one running). */
    wake(): void {
      if (!stopped) pass();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await passes.settled();
    },
  };
}
