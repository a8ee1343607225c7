import type { Knex } from 'knex';

// Secrets are stored encrypted from here on (secret-box.ts); secrets stored in plain text before
// this migration are encrypted at start-up (webhooks.encryptPlaintextSecrets), where the key is known.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('webhooks', (t) => {
    // During a rotation's grace period the previous secret still signs deliveries.
    t.text('previous_secret');
    t.timestamp('previous_secret_expires_at', { useTz: true });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('webhooks', (t) => {
    t.dropColumn('previous_secret');
    t.dropColumn('previous_secret_expires_at');
  });
}
