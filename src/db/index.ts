import type { Knex } from 'knex';
import { createIntegrationRepository } from './integrations';
import { createTokenRepository } from './tokens';
import { createWebhookRepository } from './webhooks';
import { createEventRepository } from './events';
import { createDeliveryRepository } from './deliveries';

export function createRepositories(db: Knex) {
  return {
    db,
    integrations: createIntegrationRepository(db),
    tokens: createTokenRepository(db),
    webhooks: createWebhookRepository(db),
    events: createEventRepository(db),
    deliveries: createDeliveryRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
