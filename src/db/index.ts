import type { Knex } from 'knex';
import { createSecretBox, type SecretBox } from './secret-box';
import { createDb, type DbOptions } from './knex';
import { migrateLatest } from './migrate';
import { createIntegrationRepository } from './integrations';
import { createTokenRepository } from './tokens';
import { createWebhookRepository } from './webhooks';
import { createEventRepository } from './events';
import { createDeliveryRepository } from './deliveries';
import { createPublicationRepository } from './publications';
import { createRateLimitRepository } from './rate-limits';

/** Every repository on one database; webhook secrets are encrypted with `secretBox`. */
export function createRepositories(db: Knex, secretBox: SecretBox) {
  const webhooks = createWebhookRepository(db, secretBox);
  const events = createEventRepository(db);
  const deliveries = createDeliveryRepository(db, secretBox);
  return {
    db,
    integrations: createIntegrationRepository(db),
    tokens: createTokenRepository(db),
    webhooks,
    events,
    deliveries,
    publications: createPublicationRepository(db),
    rateLimits: createRateLimitRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

/**
 * The service's database, ready to use: connected, migrated to the latest schema, and with any
 * secrets left in plain text by an earlier version encrypted. Every entrypoint opens it this way.
 */
export async function openRepositories(options: DbOptions & { encryptionKey: Buffer; prepared?: boolean }): Promise<Repositories> {
  const db = createDb(options);
  try {
    // `prepared`: this process has opened it already, migrations and encryption done (the API's thread under `npm start`).
    if (!options.prepared) await migrateLatest(db);
    const repos = createRepositories(db, createSecretBox(options.encryptionKey));
    if (!options.prepared) await repos.webhooks.encryptPlaintextSecrets();
    return repos;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
