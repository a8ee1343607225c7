import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { hashApiToken, newApiToken, newId } from '../domain/ids';
import type { Repositories } from '../db';
import { notFound } from '../http/errors';
import { parseBody, storableText } from './validate';
import { integrationJson } from './serializers';
import type { integrationCreatedSchema, tokenCreatedSchema } from './schemas';
import { checkPathIds } from './path-ids';

export const createIntegrationBody = z.strictObject({
  name: storableText(z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')),
});

/** Admin: integrations and their API tokens. */
export function integrationsRouter({ repos }: { repos: Repositories }): Router {
  const router = checkPathIds(Router());

  router.post('/', async (req, res) => {
    const { name } = parseBody(createIntegrationBody, req);
    const token = newApiToken();
    const { integration, tokenId } = await repos.db.transaction(async (trx) => {
      const integration = await repos.integrations.insert({ id: newId('integration'), name }, trx);
      const apiToken = await repos.tokens.insert(
        { id: newId('token'), integrationId: integration.id, tokenHash: hashApiToken(token) },
        trx,
      );
      return { integration, tokenId: apiToken.id };
    });
    const body: z.infer<typeof integrationCreatedSchema> = { ...integrationJson(integration), token, tokenId };
    res.status(201).json(body);
  });

  router.get('/', async (_req, res) => {
    const integrations = await repos.integrations.list();
    res.json({ data: integrations.map(integrationJson) });
  });

  router.post('/:integrationId/tokens', async (req, res) => {
    const integrationId = String(req.params.integrationId);
    if (!(await repos.integrations.find(integrationId))) throw notFound('Integration');
    const token = newApiToken();
    const created = await repos.tokens.insert({ id: newId('token'), integrationId, tokenHash: hashApiToken(token) });
    const body: z.infer<typeof tokenCreatedSchema> = { id: created.id, token, createdAt: created.createdAt.toISOString() };
    res.status(201).json(body);
  });

  router.delete('/:integrationId/tokens/:tokenId', async (req, res) => {
    const revoked = await repos.tokens.revoke(String(req.params.integrationId), String(req.params.tokenId));
    if (!revoked) throw notFound('Token');
    res.status(204).end();
  });

  return router;
}

/** Admin acting for one integration: res.locals.integrationId from the path, 404 if it does not exist. */
export function integrationFromPath(repos: Repositories): RequestHandler {
  return async (req, res, next) => {
    const integration = await repos.integrations.find(String(req.params.integrationId));
    if (!integration) throw notFound('Integration');
    res.locals.integrationId = integration.id;
    next();
  };
}
