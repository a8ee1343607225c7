import type { Knex } from 'knex';
import { createIntegrationRepository } from './integrations';
import { createTokenRepository } from './tokens';
import { createWebhookRepository } from './webhooks';

export function createRepositories(db: Knex) {
  return {
    db,
    integrations: createIntegrationRepository(db),
    tokens: createTokenRepository(db),
    webhooks: createWebhookRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
