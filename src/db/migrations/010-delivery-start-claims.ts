import type { Knex } from 'knex';

// Who starts a published delivery's workflow: the publishing process (null: the workers leave it
// that process's grace from created_at), or the workers (a time from which any worker may claim
// it; a worker's claim moves it forward by that worker's time to start it).
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => {
    t.timestamp('start_claimable_at', { useTz: true });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => t.dropColumn('start_claimable_at'));
}
