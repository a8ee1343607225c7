import type { Knex } from 'knex';

// A REST publication records its deliveries and answers before their workflows start: a delivery
// whose workflow is yet to be started says so, and the worker starts any that were left behind.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => {
    t.boolean('start_pending').notNullable().defaultTo(false);
  });
  await db.raw('CREATE INDEX deliveries_start_pending ON deliveries (created_at) WHERE start_pending');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX deliveries_start_pending');
  await db.schema.alterTable('deliveries', (t) => t.dropColumn('start_pending'));
}
