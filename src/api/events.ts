import { Router } from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import { EventValidationError, publishFields, validatePublishRequest } from '../client/publisher';
import { eventCatalog, subscribableEventTypes } from '../domain/event-catalog';
import { payloadBody } from '../domain/event-payload';
import type { Repositories } from '../db';
import { EventIdConflictError, PublicationRefusedError, UnknownIntegrationError } from '../db/publications';
import { newId } from '../domain/ids';
import { ApiError, notFound } from '../http/errors';
import type { publishedEventSchema } from './schemas';
import type { RateLimiter } from './rate-limit';
import { coalescedAnnouncements } from '../db/start-announcements';

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
  /** Deferred to this route (app.ts): the publication's statement takes the credential's token. */
  limiter: Pick<RateLimiter, 'claim' | 'answer'>;
  /** TEMPORAL_TASK_QUEUE: its workers start the deliveries. */
  taskQueue: string;
  logger: Logger;
}

/**
 * Admin: publish an event over REST, with the same rules as the TypeScript publisher. The event
 * and its deliveries are recorded in one statement, which is the acknowledgement; the workers,
 * told right after over the database, claim the deliveries and start their workflows (and start
 * any an announcement did not reach within their sweep's few seconds).
 */
export function eventsRouter({ repos, limiter, taskQueue, logger }: EventsRouterDeps): Router {
  const router = Router();
  // One announcement covers every delivery awaiting its start.
  const announce = coalescedAnnouncements(repos.deliveries, logger);

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
      publication = await repos.publications.record({ id, integrationId: request.integrationId, type: request.event, timestamp, body }, { startBy: 'workers', taskQueue, takeFrom });
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
    if (publication.deliveries.length > 0) announce();
  });

  return router;
}
