import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('events', (t) => {
    t.text('id').primary();
    t.text('integration_id').notNullable().references('integrations.id');
    t.text('type').notNullable();
    // The exact request body every delivery of this event sends, byte for byte.
    t.text('body').notNullable();
    t.text('timestamp').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
  await db.schema.createTable('deliveries', (t) => {
    t.text('id').primary();
    // One workflow per delivery; unique so that planning the same delivery twice makes one row.
    t.text('workflow_id').notNullable().unique();
    t.text('event_id').notNullable().references('events.id');
    t.text('webhook_id').notNullable().references('webhooks.id');
    t.text('integration_id').notNullable().references('integrations.id');
    t.text('event_type').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempt_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['webhook_id', 'created_at']);
    t.index(['event_id']);
  });
  await db.schema.createTable('delivery_attempts', (t) => {
    t.text('delivery_id').notNullable().references('deliveries.id');
    t.integer('attempt_number').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.integer('duration_ms').notNullable();
    t.integer('status_code');
    t.text('error_class');
    t.text('error_message');
    t.text('response_excerpt');
    t.primary(['delivery_id', 'attempt_number']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('delivery_attempts');
  await db.schema.dropTable('deliveries');
  await db.schema.dropTable('events');
}
