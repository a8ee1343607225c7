import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import { deliverySettings, type Config } from '../config';
import type { Repositories } from '../db';
import { requireAdminKey, requireIntegrationToken } from './auth';
import { errorHandler, unknownRoute } from '../http/errors';
import { integrationFromPath, integrationsRouter } from './integrations';
import { jsonBody } from './validate';
import { webhooksRouter } from './webhooks';
import { eventsRouter } from './events';
import { deliveriesRouter } from './deliveries';
import { operationsRouter } from '../http/operations';
import { countRequests } from './request-metrics';
import { createRateLimiter } from './rate-limit';
import { apiCors, securityHeaders } from './security';
import { openApiRouter } from './openapi';
import { uiRouter } from './ui';
import { createMetrics, type Metrics } from '../metrics';
import { createDeliveryStarter } from './delivery-starter';
import type { Client } from '@temporalio/client';
import { createHealthControl } from '../client/webhook-health';
import { checkPathIds } from './path-ids';

export interface AppDeps {
  config: Pick<
    Config,
    | 'adminApiKey'
    | 'allowInsecureUrls'
    | 'allowPrivateTargets'
    | 'temporalNamespace'
    | 'temporalTaskQueue'
    | 'temporalUiUrl'
    | 'retryDelaysMs'
    | 'attemptTimeoutMs'
    | 'apiRateLimitPerMinute'
    | 'apiRateLimitBurst'
    | 'corsOrigins'
  >;
  repos: Repositories;
  logger: Logger;
  /** Redeliveries, test events and the webhooks' health workflows go through Temporal (publications' deliveries are started by the workers). */
  temporal: Client;
  /** The process's metrics (shared with the worker under `npm start`); a fresh set by default. */
  metrics?: Metrics;
}

/** The REST API (SPEC.md), without listening. */
export function buildApp({ config, repos, logger, temporal, metrics = createMetrics() }: AppDeps): Express {
  const health = createHealthControl({ client: temporal, taskQueue: config.temporalTaskQueue });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  const settings = deliverySettings(config);
  const starter = createDeliveryStarter({ client: temporal, repos, taskQueue: config.temporalTaskQueue, schedule: settings });
  // Everything one integration owns; served for its tokens and, for admins, under its id.
  const integrationRoutes = Router();
  integrationRoutes.use(webhooksRouter({ repos, health, rules: config }));
  integrationRoutes.use(deliveriesRouter({ repos, starter }));

  // Limited per credential, so after the credential checks: an unauthenticated request is answered 401 without touching the limiter.
  const limiter = createRateLimiter({ buckets: repos.rateLimits, settings: config, logger });
  const admin = checkPathIds(Router());
  admin.use('/integrations/:integrationId', integrationFromPath(repos), integrationRoutes);
  admin.use('/integrations', integrationsRouter({ repos }));
  admin.use('/events', eventsRouter({ repos, limiter, taskQueue: config.temporalTaskQueue, logger }));

  const api = Router();
  // A publication takes its token in its own statement (eventsRouter): one round trip fewer.
  api.post('/admin/events', limiter.defer);
  api.use('/admin', requireAdminKey(config.adminApiKey), limiter.take, jsonBody, admin);
  api.use('/integration', requireIntegrationToken(repos.tokens), limiter.take, jsonBody, integrationRoutes);
  api.use(limiter.takeOnError);

  app.use(countRequests(metrics));
  app.use(securityHeaders());
  app.use('/api/v1', apiCors(config.corsOrigins));
  app.use(uiRouter({ temporalUi: { url: config.temporalUiUrl, namespace: config.temporalNamespace } }));
  app.use(openApiRouter());
  app.use(operationsRouter({ db: repos.db, temporal, metrics }));
  app.use('/api/v1', api);
  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}
