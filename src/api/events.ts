import { Router } from 'express';
import { EventValidationError, validatePublishRequest, type Publisher } from '../client/publisher';
import type { Repositories } from '../db';
import { ApiError, notFound } from './errors';

/** Admin: publish an event over REST, with the same rules as the TypeScript publisher. */
export function eventsRouter({ repos, publisher }: { repos: Repositories; publisher: Publisher }): Router {
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
    res.status(202).json(await publisher.publish(request));
  });

  return router;
}
