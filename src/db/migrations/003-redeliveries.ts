import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => {
    // Set on a redelivery: the delivery it repeats.
    t.text('redelivery_of').references('deliveries.id');
    t.index(['webhook_id', 'status', 'created_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => {
    t.dropIndex(['webhook_id', 'status', 'created_at']);
    t.dropColumn('redelivery_of');
  });
}
