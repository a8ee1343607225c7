import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Repositories } from '../db';
import { requireAdminKey, requireIntegrationToken } from './auth';
import { errorHandler, unknownRoute } from './errors';
import { integrationFromPath, integrationsRouter } from './integrations';
import { jsonBody } from './validate';
import { webhooksRouter } from './webhooks';
import { eventsRouter } from './events';
import type { Client } from '@temporalio/client';
import { createPublisher } from '../client/publisher';
import { createHealthControl } from '../client/webhook-health';

export interface AppDeps {
  config: Pick<Config, 'adminApiKey' | 'allowInsecureUrls' | 'allowPrivateTargets' | 'temporalTaskQueue'>;
  repos: Repositories;
  logger: Logger;
  /** Publishing and the webhooks' health workflows go through Temporal. */
  temporal: Client;
}

/** The REST API (SPEC.md), without listening. */
export function buildApp({ config, repos, logger, temporal }: AppDeps): Express {
  const publisher = createPublisher({ client: temporal, taskQueue: config.temporalTaskQueue });
  const health = createHealthControl({ client: temporal, taskQueue: config.temporalTaskQueue });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  const webhooks = webhooksRouter({ repos, health, rules: config });

  const admin = Router();
  admin.use('/integrations/:integrationId', integrationFromPath(repos), webhooks);
  admin.use('/integrations', integrationsRouter({ repos }));
  admin.use('/events', eventsRouter({ repos, publisher }));

  const api = Router();
  api.use('/admin', requireAdminKey(config.adminApiKey), jsonBody, admin);
  api.use('/integration', requireIntegrationToken(repos.tokens), jsonBody, webhooks);

  app.use('/api/v1', api);
  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}
