import type { Knex } from 'knex';

// The attempt log records how long the next attempt waited: the scheduled delay, or longer when
// the receiver asked for it with Retry-After. Null after the last attempt and on rows from before.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('delivery_attempts', (t) => {
    t.integer('next_attempt_in_ms');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('delivery_attempts', (t) => t.dropColumn('next_attempt_in_ms'));
}
