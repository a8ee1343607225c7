import type { Client } from '@temporalio/client';
import type { Repositories } from '../db';
import type { DeliveryAwaitingStart } from '../db/deliveries';
import type { Logger } from '../logger';
import { startRecordedDeliveries, type StartGate } from '../client/delivery-workflows';
import type { DeliverySettings } from '../domain/workflow-definitions';

export interface StartSweepTiming {
  /** How often the worker looks for deliveries left behind. */
  everyMs: number;
  /** How long a publication has to start its own deliveries before the worker steps in. */
  olderThanMs: number;
}

/** A publication starting a large fan-out under load may take a while; the sweep leaves it that long. */
export const defaultStartSweepTiming: StartSweepTiming = { everyMs: 5_000, olderThanMs: 30_000 };

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
 * Starts the delivery workflows a REST publication recorded but did not get to start (its process
 * died, or Temporal was away): what makes an acknowledged publication durable. A second start of
 * the same delivery is refused by its workflow id, so racing the publication is harmless.
 */
export function sweepDeliveriesAwaitingStart({ repos, client, startGate, taskQueue, settings, logger, timing }: StartSweepDeps) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();

  async function sweepOnce(): Promise<void> {
    for (;;) {
      const awaiting = await repos.deliveries.awaitingStart(timing.olderThanMs, batchSize);
      // A delivery that has made an attempt or changed status was started: only its mark was lost
      // (rows from before a delivery's first record cleared its mark).
      // One with neither may still have started (its first attempt in flight): Temporal refuses that start.
      const isUnstarted = (delivery: DeliveryAwaitingStart) => delivery.status === 'pending' && delivery.attemptCount === 0;
      const unstarted = awaiting.filter(isUnstarted);
      await repos.deliveries.markStarted(awaiting.filter((delivery) => !isUnstarted(delivery)).map((delivery) => delivery.id));
      // Marked as they start.
      // The worker's own client: its connection is the worker's, so the deliveries start eagerly.
      await startRecordedDeliveries({ client, taskQueue, eagerStart: true, gate: startGate, deliveries: repos.deliveries }, unstarted, settings);
      if (unstarted.length > 0) logger.info({ deliveries: unstarted.length }, 'started deliveries their publication left behind (those started already are refused)');
      if (awaiting.length < batchSize || stopped) return;
    }
  }

  const schedule = () => {
    timer = setTimeout(() => {
      sweeping = sweepOnce()
        .catch((err: unknown) => logger.warn({ err }, 'could not start the deliveries left behind; trying again'))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, timing.everyMs);
  };
  schedule();

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await sweeping;
    },
  };
}
