import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { EventValidationError, publishFields, validatePublishRequest, type Publisher } from '../client/publisher';
import { eventCatalog, subscribableEventTypes } from '../events/catalog';
import type { Repositories } from '../db';
import { ApiError, notFound } from './errors';
import type { publishedEventSchema } from './schemas';

/**
 * The publish body for the OpenAPI document: one variant per event type, with that type's `data`
 * schema from the catalog and the publisher's own field rules (validatePublishRequest checks them).
 */
export const publishEventBody = z.union(
  subscribableEventTypes.map((event) =>
    z.strictObject({ integrationId: publishFields.integrationId, event: z.literal(event), data: eventCatalog[event].data, id: publishFields.id }),
  ),
);

/** How long a REST publish waits for Temporal before answering 503. */
const publishWithinMs = 5_000;

/** Admin: publish an event over REST, with the same rules as the TypeScript publisher. */
export function eventsRouter({ repos, publisher, temporal }: { repos: Repositories; publisher: Publisher; temporal: Client }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    let request;
    try {
      request = validatePublishRequest(req.body ?? {});
    } catch (err) {
      if (err instanceof EventValidationError) throw new ApiError('validation_failed', 'Request body is invalid', err.issues);
      throw err;
    }
    if (!(await repos.integrations.find(request.integrationId))) throw notFound('Integration');
    // A Temporal that does not answer soon is unavailable: 503 rather than a request left hanging.
    const published: z.infer<typeof publishedEventSchema> = await temporal.withDeadline(Date.now() + publishWithinMs, () => publisher.publish(request));
    res.status(202).json(published);
  });

  return router;
}
