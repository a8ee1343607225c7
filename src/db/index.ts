import type { Knex } from 'knex';
import type { SecretBox } from './secret-box';
import { createIntegrationRepository } from './integrations';
import { createTokenRepository } from './tokens';
import { createWebhookRepository } from './webhooks';
import { createEventRepository } from './events';
import { createDeliveryRepository } from './deliveries';

/** Every repository on one database; webhook secrets are encrypted with `secretBox`. */
export function createRepositories(db: Knex, secretBox: SecretBox) {
  return {
    db,
    integrations: createIntegrationRepository(db),
    tokens: createTokenRepository(db),
    webhooks: createWebhookRepository(db, secretBox),
    events: createEventRepository(db),
    deliveries: createDeliveryRepository(db, secretBox),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
