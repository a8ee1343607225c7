import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('integrations', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
  await db.schema.createTable('api_tokens', (t) => {
    t.text('id').primary();
    t.text('integration_id').notNullable().references('integrations.id');
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.index(['integration_id']);
  });
  await db.schema.createTable('webhooks', (t) => {
    t.text('id').primary();
    t.text('integration_id').notNullable().references('integrations.id');
    t.text('url').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.text('description');
    t.text('secret').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.text('disabled_reason');
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    // Deleted webhooks stay as rows so their delivery history keeps its reference.
    t.timestamp('deleted_at', { useTz: true });
    t.index(['integration_id', 'created_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('webhooks');
  await db.schema.dropTable('api_tokens');
  await db.schema.dropTable('integrations');
}
