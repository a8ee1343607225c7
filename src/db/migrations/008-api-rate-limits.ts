import type { Knex } from 'knex';

// One token bucket per API credential, shared by every API process (SPEC "Limits and protection").
// `allowed` is the outcome of the last take, written by the same statement that takes the token.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('api_rate_limits', (t) => {
    t.text('key').primary();
    t.double('tokens').notNullable();
    t.timestamp('refilled_at', { useTz: true }).notNullable();
    t.boolean('allowed').notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('api_rate_limits');
}
