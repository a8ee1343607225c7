import type { Knex } from 'knex';

// A successful delivery tells the health workflow only when that can change the webhook's health:
// when its count is not 0, or a failed delivery it has not handled yet is on its way. These count
// the failed deliveries reported (each once) and the ones the health workflow has handled.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('webhooks', (t) => {
    t.integer('failure_reports').notNullable().defaultTo(0);
    t.integer('failure_reports_handled').notNullable().defaultTo(0);
  });
  await db.schema.alterTable('deliveries', (t) => {
    t.boolean('failure_counted').notNullable().defaultTo(false);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => t.dropColumn('failure_counted'));
  await db.schema.alterTable('webhooks', (t) => {
    t.dropColumn('failure_reports');
    t.dropColumn('failure_reports_handled');
  });
}
