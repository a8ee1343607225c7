import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { EventValidationError, publishFields, validatePublishRequest } from '../client/publisher';
import { startRecordedDeliveries, type StartGate } from '../client/delivery-workflows';
import { eventCatalog, subscribableEventTypes } from '../domain/event-catalog';
import { payloadBody } from '../domain/event-payload';
import type { Repositories } from '../db';
import type { DeliveryAwaitingStart } from '../db/deliveries';
import { EventIdConflictError, PublicationRefusedError, UnknownIntegrationError, type DeliveryStarter } from '../db/publications';
import { newId } from '../domain/ids';
import { ApiError, notFound } from '../http/errors';
import type { publishedEventSchema } from './schemas';
import type { DeliverySettings } from '../domain/workflow-definitions';
import type { RateLimiter } from './rate-limit';
import { batchedStartedMarks } from './started-marks';
import { coalescedAnnouncements } from './start-announcements';

/**
 * The publish body for the OpenAPI document: one variant per event type, with that type's `data`
 * schema from the catalog and the publisher's own field rules (validatePublishRequest checks them).
 */
export const publishEventBody = z.union(
  subscribableEventTypes.map((event) =>
    z.strictObject({ integrationId: publishFields.integrationId, event: z.literal(event), data: eventCatalog[event].data, id: publishFields.id }),
  ),
);

export interface EventsRouterDeps {
  repos: Repositories;
  temporal: Client;
  taskQueue: string;
  /**
   * Passed to the deliveries so they need not ask a worker first. The worker's own settings decide
   * the schedule all the same: each attempt's activity sets the next status and wait.
   */
  settings: DeliverySettings;
  /** The gate of this process's worker, when `temporal` shares its connection (AppDeps.eagerStarts). */
  eagerStarts?: StartGate;
  /** Who starts the published deliveries (AppDeps.publishedStarts). */
  publishedStarts: PublishedStarts;
  /** Deferred to this route (app.ts): the publication's statement takes the credential's token. */
  limiter: Pick<RateLimiter, 'claim' | 'answer'>;
  logger: Logger;
}

/**
 * Who starts a REST publication's delivery workflows, right after its answer: this process (the
 * publisher), or the workers, told over the database (they claim and start them at once;
 * src/worker/delivery-start-sweeper.ts).
 */
export type PublishedStarts = Exclude<DeliveryStarter, 'caller'>;

/**
 * Admin: publish an event over REST, with the same rules as the TypeScript publisher. The event
 * and its deliveries are recorded in one statement, which is the acknowledgement: the delivery
 * workflows start right after, and the worker starts any left behind (a crash, Temporal away).
 */
export function eventsRouter({ repos, temporal, taskQueue, settings, eagerStarts, publishedStarts, limiter, logger }: EventsRouterDeps): Router {
  const router = Router();

  /**
   * Marked started in batches, not a round trip per publication; a delivery's first record (its
   * attempt, or its status when it makes none) clears its mark too. One still marked after the
   * sweep's 30 s (its mark not written yet, or lost) is started again by the sweep; Temporal refuses
   * that start (REJECT_DUPLICATE on its workflow id) and the sweep then marks it. So nothing starts
   * twice, and what this process could not start the sweep starts.
   */
  const startHere = () => {
    const target = { client: temporal, taskQueue, eagerStart: !!eagerStarts, gate: eagerStarts, deliveries: batchedStartedMarks(repos.deliveries, logger) };
    return (deliveries: DeliveryAwaitingStart[]) =>
      void startRecordedDeliveries(target, deliveries, settings).catch((err: unknown) =>
        logger.warn({ err, deliveries: deliveries.length }, 'deliveries not started yet; the worker will start them'),
      );
  };
  // Left to the workers, one announcement covers every delivery awaiting its start.
  const startInBackground = publishedStarts === 'workers' ? coalescedAnnouncements(repos.deliveries, logger) : startHere();

  router.post('/', async (req, res) => {
    let request;
    try {
      request = validatePublishRequest(req.body ?? {});
    } catch (err) {
      if (err instanceof EventValidationError) throw new ApiError('validation_failed', 'Request body is invalid', err.issues);
      throw err;
    }
    const id = request.id ?? newId('event');
    const timestamp = new Date().toISOString();
    const body = payloadBody({ event: request.event, timestamp, integrationId: request.integrationId, data: request.data });
    let publication;
    try {
      const takeFrom = limiter.claim(res);
      publication = await repos.publications.record({ id, integrationId: request.integrationId, type: request.event, timestamp, body }, { startBy: publishedStarts, takeFrom });
    } catch (err) {
      // The RateLimit headers of the token the statement took; the 429 when it had none to take.
      if (err instanceof PublicationRefusedError && err.take) limiter.answer(res, err.take);
      if (err instanceof EventIdConflictError) throw new ApiError('conflict', err.message);
      // Checked by the recording statement itself, which then records nothing.
      if (err instanceof UnknownIntegrationError) throw notFound('Integration');
      throw err;
    }
    if (publication.take) limiter.answer(res, publication.take);
    const { event } = publication;
    const published: z.infer<typeof publishedEventSchema> = { id: event.id, event: request.event, integrationId: event.integrationId, timestamp: event.timestamp };
    res.status(202).json(published);
    if (publication.deliveries.length > 0) startInBackground(publication.deliveries);
  });

  return router;
}
