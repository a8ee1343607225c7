import type { Knex } from 'knex';

// The task queue whose workers start a delivery left to the workers: each worker claims only its
// own queue's, so deployments on different task queues can share one database. Null on rows
// recorded before: any worker may start those.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => {
    t.text('start_task_queue');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => t.dropColumn('start_task_queue'));
}
